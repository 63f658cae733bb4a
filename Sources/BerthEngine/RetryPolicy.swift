import BerthModel

/// Exponential backoff with full jitter: base * 2^(attempt-1), capped, scaled by a random
/// factor in [0.5, 1) so that many failing resources do not retry in lockstep.
public struct RetryPolicy: Sendable {
    public var base: Duration
    public var cap: Duration
    /// Attempts in all, the first included; `apply` gives up after these, `watch` never.
    public var maxAttempts: Int

    public init(base: Duration = .seconds(1), cap: Duration = .seconds(300), maxAttempts: Int = 4) {
        self.base = base; self.cap = cap; self.maxAttempts = maxAttempts
    }

    /// Delay before attempt `attempt + 1`, after `attempt` failures (attempt >= 1).
    public func delay(after attempt: Int, random: Double) -> Duration {
        let exponent = min(attempt - 1, 30)
        let raw = base * (1 << exponent)
        let capped = raw > cap ? cap : raw
        return capped * (0.5 + 0.5 * min(max(random, 0), 1))
    }

    public static func shouldRetry(_ error: any Error) -> Bool {
        (error as? BerthError)?.isRetryable ?? false
    }

    /// An engine's 400 or 422 answer to an action (a bad or unprocessable request): the
    /// request is wrong as sent, so neither `apply` nor `watch` sends it again until the spec
    /// changes. 404 and 409 are not refusals: they come from races with the engine's own state
    /// (a container removed by hand while it is started: 409 "marked for removal", 404 "no
    /// such container") that the next observation mends; 429 is a passing state too.
    public static func isRefusal(_ error: any Error) -> Bool {
        guard let error = error as? BerthError, let status = error.status, !error.isRetryable else { return false }
        // 401 and 403 are about credentials, mended outside the spec: those keep their backoff.
        // A Kubernetes object that does not fit its kind's schema is final too, though the
        // API answers it with a 500.
        return [400, 422].contains(status) || error.code == .invalidSpec
    }
}

/// Time and chance are injected so tests of backoff finish at once.
public struct Sleeper: Sendable {
    public var sleep: @Sendable (Duration) async throws -> Void
    public var random: @Sendable () -> Double

    public init(sleep: @escaping @Sendable (Duration) async throws -> Void, random: @escaping @Sendable () -> Double) {
        self.sleep = sleep; self.random = random
    }

    public static let live = Sleeper(sleep: { try await Task.sleep(for: $0) }, random: { Double.random(in: 0..<1) })
}
