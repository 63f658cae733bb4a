import BerthSystem
import FoundationEssentials

/// Notifications waiting to be posted, and the one background sender that posts them in
/// order. `enqueue` returns at once, whatever the receiver does: a receiver that fails or
/// hangs delays only the notifications behind it, never a pass. The queue is bounded (the
/// oldest event is dropped, with a log line, when it is full); a failed post is tried again
/// with exponential backoff and jitter, and given up after `retry.maxAttempts`, with a log line.
public final class NotificationQueue: @unchecked Sendable {
    /// 1 s doubling to 60 s, times a jitter factor in [0.5, 1); 8 attempts in all.
    public static let defaultRetry = RetryPolicy(base: .seconds(1), cap: .seconds(60), maxAttempts: 8)

    private let lock = ThreadLock()
    private var waiting: [NotificationEvent] = []
    private var finished = false
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>
    let capacity: Int
    let retry: RetryPolicy
    let sleeper: Sleeper
    /// Where the events go (for people: "http://host/hook", credentials masked).
    let receiver: String
    let log: @Sendable (String) -> Void
    let post: @Sendable (NotificationEvent) async throws -> Void

    /// `post` delivers one event and throws when the receiver did not take it, with an error
    /// that names the receiver; it must limit its own time (the HTTP sender gives each request 10 s).
    public init(receiver: String, capacity: Int = 100, retry: RetryPolicy = NotificationQueue.defaultRetry, sleeper: Sleeper = .live,
                log: @escaping @Sendable (String) -> Void, post: @escaping @Sendable (NotificationEvent) async throws -> Void) {
        self.receiver = receiver; self.capacity = max(1, capacity); self.retry = retry; self.sleeper = sleeper
        self.log = log; self.post = post
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds an event for the sender; never waits.
    public func enqueue(_ event: NotificationEvent) {
        let dropped: NotificationEvent? = lock.withLock {
            guard !finished else { return nil }
            waiting.append(event)
            return waiting.count > capacity ? waiting.removeFirst() : nil
        }
        if let dropped {
            log("notifications to \(receiver) are \(capacity) behind: dropped the oldest, \(dropped.event) of \(dropped.time)")
        }
        wake.yield()
    }

    /// Events not yet handed to the sender.
    public var pending: Int { lock.withLock { waiting.count } }

    /// Posts events as they come until `finish()` or cancellation.
    public func run() async {
        var iterator = wakes.makeAsyncIterator()
        while !Task.isCancelled {
            if let event = takeNext() {
                await deliver(event)
                continue
            }
            if lock.withLock({ finished }) { return }
            guard await iterator.next() != nil else { return }
        }
    }

    /// Stops the sender once it is idle; events still waiting are not posted.
    public func finish() {
        lock.withLock { finished = true; waiting.removeAll() }
        wake.finish()
    }

    private func takeNext() -> NotificationEvent? {
        lock.withLock { waiting.isEmpty ? nil : waiting.removeFirst() }
    }

    /// One event, tried until the receiver takes it or the attempts run out.
    func deliver(_ event: NotificationEvent) async {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await post(event)
                if attempt > 1 { log("notification \(event.event) reached \(receiver) on attempt \(attempt)") }
                return
            } catch {
                if attempt >= retry.maxAttempts {
                    log("notification \(event.event) of \(event.time) not delivered, gave up after \(attempt) attempts: \(error)")
                    return
                }
                let delay = retry.delay(after: attempt, random: sleeper.random())
                if attempt == 1 { log("notification \(event.event) not delivered yet: \(error); trying again with backoff (up to \(retry.maxAttempts) attempts)") }
                do { try await sleeper.sleep(delay) } catch { return }
            }
        }
    }
}
