@testable import BerthEngine
import Synchronization
import Testing
import BerthTestSupport

/// Records every requested sleep and, unless made `instant`, holds it until `release()`,
/// noting cancellations, so a test decides when a delayed retry fires and nothing waits.
private final class TestSleeper: Sendable {
    private struct State {
        var durations: [Duration] = []
        var parked: [CheckedContinuation<Void, Never>] = []
        var cancelled = 0
        var ended = 0
        var released: Bool
    }
    private let state: Mutex<State>
    private let randomValue: Double

    init(instant: Bool = false, random: Double = 1.0) {
        state = Mutex(State(released: instant))
        randomValue = random
    }

    var durations: [Duration] { state.withLock { $0.durations } }
    var cancelled: Int { state.withLock { $0.cancelled } }
    /// Sleeps that are over, returned or thrown: after that their caller runs on.
    var ended: Int { state.withLock { $0.ended } }
    var sleeper: Sleeper { Sleeper(sleep: { [self] in try await sleep($0) }, random: { [randomValue] in randomValue }) }

    private func sleep(_ duration: Duration) async throws {
        defer { state.withLock { $0.ended += 1 } }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let released = state.withLock { state in
                    state.durations.append(duration)
                    if !state.released { state.parked.append(continuation) }
                    return state.released
                }
                if released { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.cancelled += 1 }
        }
        // Like Task.sleep: a cancelled sleep throws, even if it was released meanwhile.
        try Task.checkCancellation()
    }

    func release() {
        let parked = state.withLock { state in
            state.released = true
            defer { state.parked = [] }
            return state.parked
        }
        parked.forEach { $0.resume() }
    }
}

/// Tracks keys being processed by several workers at once.
private final class ProcessingTracker: Sendable {
    struct State {
        var active: [String: Int] = [:]
        var maxActive = 0
        var processed: Set<String> = []
        /// Keys added since their last start of processing.
        var unprocessedAdd: Set<String> = []
    }
    let state = Mutex(State())

    func willAdd(_ key: String) { state.withLock { _ = $0.unprocessedAdd.insert(key) } }

    func begin(_ key: String) {
        state.withLock { state in
            state.unprocessedAdd.remove(key)
            state.processed.insert(key)
            state.active[key, default: 0] += 1
            state.maxActive = max(state.maxActive, state.active[key]!)
        }
    }

    func end(_ key: String) { state.withLock { $0.active[key, default: 0] -= 1 } }
}

/// Polls (briefly) until `condition` holds, for states reached by other tasks.
private func eventually(_ condition: () async -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async {
    for _ in 0..<2000 {
        if await condition() { return }
        await Poll.pause(.milliseconds(1))
    }
    Issue.record("condition never held", sourceLocation: sourceLocation)
}

/// Resumes a continuation once, with whichever of two racing tasks finishes first.
private final class FirstResult: Sendable {
    private let continuation = Mutex<CheckedContinuation<String?, Never>?>(nil)
    func arm(_ continuation: CheckedContinuation<String?, Never>) { self.continuation.withLock { $0 = continuation } }
    func resume(_ value: String?) { continuation.withLock { $0.take() }?.resume(returning: value) }
}

/// The key a worker task got, or a failure after `limit`: a queue that never wakes a worker
/// must fail the test rather than hang the run (the stuck task is abandoned).
private func result(
    of worker: Task<String?, Never>, within limit: Duration = .seconds(2),
    sourceLocation: SourceLocation = #_sourceLocation
) async -> String? {
    let timedOut = "<timed out>"
    let first = FirstResult()
    var timer: Task<Void, Never>?
    let value = await withCheckedContinuation { continuation in
        first.arm(continuation)
        Task { first.resume(await worker.value) }
        timer = Task { if await HangGuard.timer(limit) { first.resume(timedOut) } }
    }
    timer?.cancel()
    if value == timedOut { Issue.record("worker not woken within \(limit)", sourceLocation: sourceLocation) }
    return value
}

/// `next()`, failing rather than hanging when no key comes.
private func take(_ queue: WorkQueue<String>, sourceLocation: SourceLocation = #_sourceLocation) async -> String? {
    await result(of: Task { await queue.next() }, sourceLocation: sourceLocation)
}

// Tests take keys through `take`, which cannot hang; the limit backs up the stress test's workers.
@Suite(.timeLimit(.minutes(5))) struct WorkQueueTests {
    @Test func waitingKeyIsNotAddedTwice() async {
        let queue = WorkQueue<String>(sleeper: TestSleeper(instant: true).sleeper)
        for key in ["a", "a", "b", "a", "b"] { await queue.add(key) }
        #expect(await queue.count == 2)
        #expect(await take(queue) == "a")
        #expect(await take(queue) == "b")
    }

    @Test func distinctKeysComeOutInOrderAdded() async {
        let queue = WorkQueue<String>(sleeper: TestSleeper(instant: true).sleeper)
        let keys = ["docker/web", "*", "docker/db", "k8s/api", "docker/cache"]
        for key in keys + keys.reversed() { await queue.add(key) }
        var out: [String] = []
        for _ in keys { out.append(await take(queue)!) }
        #expect(out == keys)
    }

    @Test func keyAddedWhileProcessingWaitsForDone() async {
        let queue = WorkQueue<String>(sleeper: TestSleeper(instant: true).sleeper)
        await queue.add("a")
        #expect(await take(queue) == "a")
        let second = Task { await queue.next() }
        await eventually { await queue.idleWorkers == 1 }
        await queue.add("a")
        await queue.add("a")
        // Still parked: "a" must not reach a second worker while the first holds it.
        #expect(await queue.idleWorkers == 1)
        #expect(await queue.count == 0)
        await queue.done("a")
        #expect(await result(of: second) == "a")
    }

    @Test func keyIsNeverProcessedByTwoWorkersAtOnce() async {
        let queue = WorkQueue<String>(sleeper: TestSleeper(instant: true).sleeper)
        let tracker = ProcessingTracker()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.next() {
                        tracker.begin(key)
                        // Busy across suspensions, some keys far longer than others, so that
                        // adds land mid-processing while other workers are free to take them.
                        for _ in 0...Int(key.dropFirst())! * 3 { await Task.yield() }
                        tracker.end(key)
                        await queue.done(key)
                    }
                }
            }
            // Bursts of every key, as a resync would send, with the workers running between.
            for i in 0..<1000 {
                let key = "k\(i % 10)"
                tracker.willAdd(key)
                await queue.add(key)
                if i % 10 == 9 { await Task.yield() }
            }
            // Shutting down drains what is waiting, so every add is seen before workers stop.
            await queue.shutDown()
        }
        let seen = tracker.state.withLock { $0 }
        #expect(seen.maxActive == 1)
        #expect(seen.processed == Set((0..<10).map { "k\($0)" }))
        #expect(seen.unprocessedAdd.isEmpty, "an add was never followed by processing")
    }

    @Test(arguments: [(0.0, 0.5), (0.5, 0.75), (1.0, 1.0)])
    func retryBackoffDoublesWithJitterAndCaps(random: Double, factor: Double) async {
        let clock = TestSleeper(instant: true, random: random)
        let queue = WorkQueue<String>(
            retry: RetryPolicy(base: .seconds(1), cap: .seconds(8), maxAttempts: .max), sleeper: clock.sleeper)
        await queue.add("a")
        var returned: [Duration] = []
        for _ in 0..<6 {
            #expect(await take(queue) == "a")
            returned.append(await queue.retryLater("a")!)
            await queue.done("a")
        }
        // The last retry has come back too: every sleep was requested before its key returned.
        #expect(await take(queue) == "a")
        let expected: [Duration] = [1, 2, 4, 8, 8, 8].map { Duration.seconds($0) * factor }
        #expect(returned == expected)
        #expect(clock.durations == expected)
        #expect(await queue.failures("a") == 6)
    }

    @Test func forgetResetsBackoff() async {
        let queue = WorkQueue<String>(sleeper: TestSleeper(instant: true).sleeper)
        await queue.retryLater("a")
        await queue.retryLater("a")
        #expect(await queue.retryLater("a") == .seconds(4))
        #expect(await queue.failures("a") == 3)
        await queue.forget("a")
        #expect(await queue.failures("a") == 0)
        #expect(await queue.retryLater("a") == .seconds(1))
    }

    @Test func retryGivesUpAfterMaxAttempts() async {
        let clock = TestSleeper()
        let queue = WorkQueue<String>(retry: RetryPolicy(maxAttempts: 3), sleeper: clock.sleeper)
        #expect(await queue.retryLater("a") == .seconds(1))
        #expect(await queue.retryLater("a") == .seconds(2))
        #expect(await queue.retryLater("a") == nil)
        #expect(await queue.delayedCount == 0)
        #expect(await queue.failures("a") == 3)
    }

    @Test func addSupersedesPendingRetry() async {
        let clock = TestSleeper()
        let queue = WorkQueue<String>(sleeper: clock.sleeper)
        await queue.add("a")
        #expect(await take(queue) == "a")
        await queue.retryLater("a")
        await queue.done("a")
        #expect(await queue.count == 0)
        #expect(await queue.delayedCount == 1)

        await queue.add("a")
        #expect(await queue.count == 1, "a newer change must not wait out the backoff")
        #expect(await queue.delayedCount == 0)
        #expect(await take(queue) == "a")
        await queue.done("a")
        #expect(await queue.failures("a") == 1, "add does not forgive the failure")

        // Let the superseded sleep finish: it must not bring "a" back a second time. Once that
        // sleep is over (it throws, being cancelled), its retry task has nothing left to do.
        clock.release()
        await eventually { clock.durations.count == 1 && clock.cancelled == 1 && clock.ended == 1 }
        #expect(await queue.count == 0)
        #expect(await queue.delayedCount == 0)
    }

    @Test func retryOfKeyAddedDuringProcessingIsNotScheduled() async {
        let clock = TestSleeper()
        let queue = WorkQueue<String>(sleeper: clock.sleeper)
        await queue.add("a")
        #expect(await take(queue) == "a")
        await queue.add("a")
        #expect(await queue.retryLater("a") == .seconds(1))
        #expect(await queue.delayedCount == 0)
        await queue.done("a")
        #expect(await queue.count == 1)
    }

    @Test func shutDownWakesWaitersAndDropsRetries() async {
        let clock = TestSleeper()
        let queue = WorkQueue<String>(sleeper: clock.sleeper)
        await queue.retryLater("later")
        let workers = (0..<3).map { _ in Task { await queue.next() } }
        await eventually { await queue.idleWorkers == 3 }
        await queue.shutDown()
        for worker in workers { #expect(await result(of: worker) == nil) }
        #expect(await queue.delayedCount == 0)
        await queue.add("a")
        #expect(await queue.count == 0, "adds after shutDown are ignored")
        #expect(await take(queue) == nil)
        await eventually { clock.cancelled == 1 }
        clock.release()
        #expect(await queue.count == 0)
    }

    @Test func shutDownDrainsWaitingKeys() async {
        let queue = WorkQueue<String>(sleeper: TestSleeper(instant: true).sleeper)
        await queue.add("a")
        await queue.add("b")
        await queue.shutDown()
        #expect(await queue.isShuttingDown)
        #expect(await take(queue) == "a")
        #expect(await take(queue) == "b")
        #expect(await take(queue) == nil)
    }

    @Test func cancelledWaiterGetsNilAndLosesNoKey() async {
        let queue = WorkQueue<String>(sleeper: TestSleeper(instant: true).sleeper)
        let worker = Task { await queue.next() }
        await eventually { await queue.idleWorkers == 1 }
        worker.cancel()
        #expect(await result(of: worker) == nil)
        await eventually { await queue.idleWorkers == 0 }
        await queue.add("a")
        #expect(await queue.count == 1, "the key went to a cancelled waiter")
        #expect(await take(queue) == "a")
    }
}
