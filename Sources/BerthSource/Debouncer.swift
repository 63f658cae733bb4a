import BerthSystem
/// Collapses a burst of signals into one `fired` element once `quiet` has passed without a
/// new signal: a `git checkout` that touches 200 specs becomes one reconcile, not 200.
///
/// The first signal starts a timer. When it expires, the debouncer fires if no signal came
/// in meanwhile, and otherwise waits another `quiet` period; so a steady stream of signals
/// closer together than `quiet` delays the fire until it stops, and the fire comes between
/// `quiet` and twice `quiet` after the last signal. That slack buys one sleeping task per
/// burst instead of one cancelled task per signal. Signals after a fire start a new period
/// and lead to another fire.
///
/// Time is injected through `sleep`, so tests can drive the timer by hand and never wait.
public actor Debouncer {
    /// Fires after each quiet period. It holds at most one unconsumed element: a consumer
    /// busy reconciling while several fires happen needs to re-read only once afterwards.
    public nonisolated let fired: AsyncStream<Void>

    /// How many times the debouncer has fired, including fires the stream collapsed.
    public private(set) var fireCount = 0

    private let quiet: Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let continuation: AsyncStream<Void>.Continuation
    /// Bumped by every signal; the timer compares it before and after sleeping to tell
    /// whether the period was quiet. Cheaper than cancelling and restarting a task per event.
    private var generation: UInt64 = 0
    private var timer: Task<Void, Never>?
    private var finished = false

    /// Creates a debouncer that fires `quiet` after the last of a burst of signals.
    ///
    /// - Parameter sleep: Suspends for the given duration; a thrown error (cancellation)
    ///   abandons the pending fire. Defaults to `Task.sleep(for:)`.
    public init(
        quiet: Duration,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.quiet = quiet
        self.sleep = sleep
        (fired, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    deinit {
        timer?.cancel()
        continuation.finish()
    }

    /// Records that something happened; `fired` yields once things have been quiet.
    public func signal() {
        guard !finished else { return }
        generation &+= 1
        if timer == nil {
            // The first period counts from this signal, not from whenever the task starts
            // running, so the number of periods does not depend on scheduling.
            let seen = generation
            timer = Task { await self.waitForQuiet(since: seen) }
        }
    }

    /// Drops any pending fire and finishes `fired`; later signals are ignored.
    public func finish() {
        finished = true
        timer?.cancel()
        timer = nil
        continuation.finish()
    }

    /// Whether a fire is pending, that is a signal arrived and the quiet period has not yet
    /// passed. Lets a caller (or a test) know that work is still coming.
    public var isPending: Bool { timer != nil }

    private func waitForQuiet(since first: UInt64) async {
        var seen = first
        while true {
            do {
                try await sleep(quiet)
            } catch {
                // Cancelled by finish(), or an injected sleep failed: either way this period
                // is abandoned, and the next signal must be able to start a new timer.
                timer = nil
                return
            }
            if finished { return }
            if generation == seen { break }
            seen = generation
        }
        timer = nil
        fireCount += 1
        continuation.yield()
    }
}
