/// The queue between `berth watch`'s event sources and its workers, after client-go's
/// rate-limited workqueue.
///
/// File changes, engine events and resyncs only `add` a key (a spec identity such as
/// `"docker/web"`, or `"*"` for everything); workers take a key with `next()`, re-read the
/// world and act, then call `done`. Because workers re-read rather than replay events, ten
/// changes to one spec while it waits are one unit of work, and a change that lands while
/// the key is being processed only needs the key to come round once more afterwards.
///
/// Guarantees:
/// - A key waits at most once (`add` of a waiting key does nothing).
/// - A key is never handed to two workers at once: adding a key that is being processed
///   marks it dirty, and `done` puts it back at the end of the line.
/// - Distinct keys come out in the order they were added.
/// - `retryLater` brings a key back after its own exponential backoff with jitter; `forget`
///   resets that backoff; a plain `add` supersedes a pending retry, since a newer change
///   should not wait out the penalty of an older failure.
public actor WorkQueue<Key: Hashable & Sendable> {
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Key?, Never>
    }

    /// A retry sleeping out its backoff. The token tells a retry that was superseded (and
    /// possibly already past its sleep when cancelled) from the one currently scheduled.
    private struct DelayedAdd {
        var token: UInt64
        var task: Task<Void, Never>
    }

    private let retry: RetryPolicy
    private let sleeper: Sleeper

    private var queue = KeyFIFO<Key>()
    /// Keys that need processing: every waiting key, and processing keys added again.
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var failureCounts: [Key: Int] = [:]
    private var delayed: [Key: DelayedAdd] = [:]
    private var waiters: [Waiter] = []
    private var nextID: UInt64 = 0
    private var shuttingDown = false

    /// - Parameters:
    ///   - retry: the per-key backoff for `retryLater`. The default never gives up, as a
    ///     daemon should keep trying; pass a finite `maxAttempts` to drop a key after that
    ///     many failures.
    ///   - sleeper: the clock and random source; tests inject one that does not sleep.
    public init(
        retry: RetryPolicy = RetryPolicy(base: .seconds(1), cap: .seconds(300), maxAttempts: .max),
        sleeper: Sleeper = .live
    ) {
        self.retry = retry
        self.sleeper = sleeper
    }

    /// Keys waiting to be handed out (not those being processed or sleeping out a backoff).
    public var count: Int { queue.count }

    /// Keys sleeping out a backoff before `retryLater` adds them again.
    public var delayedCount: Int { delayed.count }

    /// Whether `shutDown()` has been called.
    public var isShuttingDown: Bool { shuttingDown }

    /// Workers suspended in `next()` waiting for a key, that is idle. With `count` it says
    /// whether the workers keep up: keys waiting while no worker is idle means they do not.
    public var idleWorkers: Int { waiters.count }

    /// Queues `key` unless it is already waiting. A key being processed is marked dirty
    /// and comes back after `done`. Cancels a pending `retryLater` of the key: the key is
    /// available at once instead. Ignored after `shutDown()`.
    public func add(_ key: Key) {
        guard !shuttingDown else { return }
        if let pending = delayed.removeValue(forKey: key) {
            pending.task.cancel()
        }
        enqueue(key)
    }

    /// Waits for a key and marks it as being processed; the caller must call `done` with it.
    /// Returns nil once the queue is shut down and drained, or if the calling task is
    /// cancelled while waiting.
    public func next() async -> Key? {
        if let key = queue.popFirst() {
            begin(key)
            return key
        }
        if shuttingDown { return nil }
        let id = nextID
        nextID &+= 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                // A task cancelled before it got here would never be woken by onCancel,
                // which has already run and found no waiter to remove.
                if Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    waiters.append(Waiter(id: id, continuation: continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Marks `key` as no longer being processed, whatever the outcome; if it was added again
    /// meanwhile it goes back in line. Record the outcome with `forget` or `retryLater`.
    public func done(_ key: Key) {
        guard processing.remove(key) != nil else { return }
        if dirty.contains(key) {
            queue.append(key)
            dispatch()
        }
    }

    /// Records a transient failure of `key` and adds it again after its backoff:
    /// `retry.delay(after: failures)`, which grows 1, 2, 4… times jitter up to the cap.
    ///
    /// Returns that delay, or nil when nothing was scheduled: the policy's `maxAttempts` is
    /// used up (the caller should report the key as failed) or the queue is shutting down.
    /// A key that was added again while being processed is already coming back, so no
    /// retry is scheduled for it, though the failure still counts towards its backoff.
    @discardableResult
    public func retryLater(_ key: Key) -> Duration? {
        let failures = (failureCounts[key] ?? 0) + 1
        failureCounts[key] = failures
        // Any earlier pending retry is replaced (or dropped, on giving up) so that the
        // returned delay is the one that holds.
        delayed.removeValue(forKey: key)?.task.cancel()
        guard !shuttingDown, failures < retry.maxAttempts else { return nil }
        let delay = retry.delay(after: failures, random: sleeper.random())
        if dirty.contains(key) { return delay }
        let token = nextID
        nextID &+= 1
        let sleep = sleeper.sleep
        let task = Task { [weak self] in
            do { try await sleep(delay) } catch { return }
            await self?.fireDelayed(key, token: token)
        }
        delayed[key] = DelayedAdd(token: token, task: task)
        return delay
    }

    /// Records that `key` succeeded: its next failure starts the backoff from the base.
    public func forget(_ key: Key) {
        failureCounts.removeValue(forKey: key)
    }

    /// Transient failures of `key` since it was last forgotten.
    public func failures(_ key: Key) -> Int {
        failureCounts[key] ?? 0
    }

    /// Stops accepting keys and drops pending retries. Workers waiting in `next()` get nil;
    /// keys already waiting (and dirty keys handed back by `done`) are still handed out, so
    /// workers that loop on `next()` drain the queue and then stop.
    public func shutDown() {
        shuttingDown = true
        for pending in delayed.values { pending.task.cancel() }
        delayed.removeAll()
        let parked = waiters
        waiters.removeAll()
        for waiter in parked { waiter.continuation.resume(returning: nil) }
    }

    private func enqueue(_ key: Key) {
        guard dirty.insert(key).inserted, !processing.contains(key) else { return }
        queue.append(key)
        dispatch()
    }

    private func begin(_ key: Key) {
        dirty.remove(key)
        processing.insert(key)
    }

    /// Hands waiting keys to parked workers, oldest worker first.
    private func dispatch() {
        while !waiters.isEmpty, let key = queue.popFirst() {
            let waiter = waiters.removeFirst()
            begin(key)
            waiter.continuation.resume(returning: key)
        }
    }

    private func fireDelayed(_ key: Key, token: UInt64) {
        // A superseded retry may have passed its sleep before the cancel reached it.
        guard delayed[key]?.token == token else { return }
        delayed.removeValue(forKey: key)
        enqueue(key)
    }

    private func cancelWaiter(_ id: UInt64) {
        // Not found means the waiter already got a key (or nil) before the cancel landed.
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }
}
