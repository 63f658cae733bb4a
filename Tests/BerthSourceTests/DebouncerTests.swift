import Testing
@testable import BerthSource
@testable import BerthSystem
import BerthTestSupport

/// A sleep that returns only when the test says time has passed, so the debouncer's timer is
/// driven step by step: no real waiting, and no dependence on how tasks get scheduled.
actor ManualSleep {
    private var sleepers: [CheckedContinuation<Void, Never>] = []
    private var countWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// How many sleeps have started in total.
    private(set) var started = 0

    nonisolated var sleep: @Sendable (Duration) async throws -> Void {
        { _ in await self.enter() }
    }

    private func enter() async {
        await withCheckedContinuation { continuation in
            sleepers.append(continuation)
            started += 1
            let ready = countWaiters.filter { $0.count <= started }
            countWaiters.removeAll { $0.count <= started }
            for waiter in ready { waiter.continuation.resume() }
        }
    }

    /// Returns once `count` sleeps have started, that is the timer is waiting on its period.
    func waitForSleep(_ count: Int) async {
        if started >= count { return }
        await withCheckedContinuation { countWaiters.append((count, $0)) }
    }

    /// Ends the current quiet period for every sleeper.
    func elapse() {
        let waking = sleepers
        sleepers = []
        for sleeper in waking { sleeper.resume() }
    }
}

struct DebouncerTests {
    @Test func burstOf200SignalsFiresOnceAfterTheQuietPeriod() async {
        let clock = ManualSleep()
        let debouncer = Debouncer(quiet: .milliseconds(300), sleep: clock.sleep)
        for _ in 0..<200 { await debouncer.signal() }
        await clock.waitForSleep(1)
        // More of the burst arrives while the first period runs, so it must not count as quiet.
        for _ in 0..<200 { await debouncer.signal() }
        await clock.elapse()
        await clock.waitForSleep(2)
        #expect(await debouncer.fireCount == 0)
        #expect(await debouncer.isPending)

        await clock.elapse()
        #expect(await nextFire(of: debouncer.fired) == true)
        #expect(await debouncer.fireCount == 1)
        #expect(await !debouncer.isPending)
        #expect(await clock.started == 2)
    }

    @Test func eachQuietPeriodFiresOnce() async {
        let clock = ManualSleep()
        let debouncer = Debouncer(quiet: .seconds(1), sleep: clock.sleep)
        for burst in 1...3 {
            for _ in 0..<50 { await debouncer.signal() }
            // The period started at the burst's first signal; the other 49 extend it once.
            await clock.waitForSleep(2 * burst - 1)
            await clock.elapse()
            await clock.waitForSleep(2 * burst)
            #expect(await debouncer.fireCount == burst - 1)
            await clock.elapse()
            #expect(await nextFire(of: debouncer.fired) == true)
            #expect(await debouncer.fireCount == burst)
        }
        #expect(await clock.started == 6)
    }

    @Test func singleSignalFiresAfterOnePeriod() async {
        let clock = ManualSleep()
        let debouncer = Debouncer(quiet: .seconds(1), sleep: clock.sleep)
        await debouncer.signal()
        await clock.waitForSleep(1)
        await clock.elapse()
        #expect(await nextFire(of: debouncer.fired) == true)
        #expect(await clock.started == 1)
    }

    @Test func finishDropsThePendingFireAndEndsTheStream() async {
        let clock = ManualSleep()
        let debouncer = Debouncer(quiet: .seconds(1), sleep: clock.sleep)
        await debouncer.signal()
        await clock.waitForSleep(1)
        await debouncer.finish()
        await clock.elapse()
        await debouncer.signal()
        #expect(await nextFire(of: debouncer.fired) == false)
        #expect(await debouncer.fireCount == 0)
    }

    @Test func failedSleepAbandonsThePeriodButNotLaterSignals() async {
        let failures = FailFirstSleep()
        let debouncer = Debouncer(quiet: .milliseconds(1), sleep: failures.sleep)
        await debouncer.signal()
        #expect(await waitUntil { await !debouncer.isPending })
        #expect(await debouncer.fireCount == 0)
        await debouncer.signal()
        #expect(await nextFire(of: debouncer.fired) == true)
        #expect(await debouncer.fireCount == 1)
    }

    @Test func defaultSleepCollapsesARealBurst() async {
        let debouncer = Debouncer(quiet: .milliseconds(150))
        for _ in 0..<200 { await debouncer.signal() }
        #expect(await nextFire(of: debouncer.fired) == true)
        #expect(await !debouncer.isPending)
        #expect(await debouncer.fireCount == 1)
    }
}

/// A sleep that throws the first time and returns at once afterwards.
actor FailFirstSleep {
    private var calls = 0
    struct Failure: Error {}

    nonisolated var sleep: @Sendable (Duration) async throws -> Void {
        { _ in try await self.step() }
    }

    private func step() throws {
        calls += 1
        if calls == 1 { throw Failure() }
    }
}

/// The next element of `stream` (true), its end (false), or nil when `timeout` passes first.
func nextFire(of stream: AsyncStream<Void>, timeout: Duration = .seconds(3)) async -> Bool? {
    await withTaskGroup(of: Bool?.self) { group in
        group.addTask {
            var iterator = stream.makeAsyncIterator()
            return await iterator.next() != nil
        }
        group.addTask {
            await HangGuard.timer(timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}

/// Re-checks `condition` every few milliseconds until it holds or `timeout` passes; for
/// state that has no stream to await.
func waitUntil(timeout: Duration = .seconds(3), _ condition: @Sendable () async -> Bool) async -> Bool {
    await Poll.until(hangGuard: timeout) { await condition() }
}
