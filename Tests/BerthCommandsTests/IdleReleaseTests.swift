@testable import BerthCommands
@testable import BerthEngine
import BerthTestSupport
import Synchronization
import Testing

/// When an idle watch gives memory back: once, 2 s after the last pass, whatever number of
/// passes came before; a pass in the meantime pushes it back. Time is driven by hand.
@Suite(.timeLimit(.minutes(4)))
struct IdleReleaseTests {
    static let pass = PassSummary(key: "*", report: StatusReport(owner: "o", time: "t", engine: "ok", targets: [], entries: [], errors: [], notes: [], held: nil, invalidFiles: nil), duration: .milliseconds(40), converged: true, errors: [])

    @Test func releasesOnceTwoSecondsAfterTheLastPass() async throws {
        let time = ManualTime(), released = ReleaseCounter()
        defer { time.finish() }
        let idle = IdleRelease(now: time.now, sleep: time.sleep, release: released.add)
        #expect(idle.quiet == .seconds(2))
        idle.passFinished(Self.pass)
        #expect(await time.waitForSleepers([.seconds(2)]))
        time.advance(by: .milliseconds(1999))
        #expect(released.value == 0 && time.wakes == [.seconds(2)], "not idle for 2 s yet")
        time.advance(by: .milliseconds(1))
        #expect(await Poll.until(hangGuard: .seconds(240)) { released.value == 1 })
        #expect(await time.waitForSleepers([]), "nothing waits once it has released")
        time.advance(by: .seconds(600))
        #expect(released.value == 1, "not twice for one idle spell")
    }

    @Test func aNewPassPushesTheReleaseBack() async throws {
        let time = ManualTime(), released = ReleaseCounter()
        defer { time.finish() }
        let idle = IdleRelease(now: time.now, sleep: time.sleep, release: released.add)
        idle.passFinished(Self.pass)
        #expect(await time.waitForSleepers([.seconds(2)]))
        time.advance(by: .milliseconds(1500))
        idle.passFinished(Self.pass)
        #expect(time.wakes == [.seconds(2)], "one timer, however many passes")
        time.advance(by: .milliseconds(500))
        // Woken at 2 s, it sees the pass of 1.5 s and waits until 3.5 s.
        #expect(await time.waitForSleepers([.milliseconds(3500)]))
        #expect(released.value == 0)
        time.advance(by: .milliseconds(1499))
        #expect(released.value == 0)
        time.advance(by: .milliseconds(1))
        #expect(await Poll.until(hangGuard: .seconds(240)) { released.value == 1 })
        #expect(await time.waitForSleepers([]))
        #expect(released.value == 1)
    }

    /// A burst of passes (events) then idle: one release; passes after it (a resync) page code
    /// back in, and the next idle spell releases again, once.
    @Test func eachIdleSpellReleasesOnce() async throws {
        let time = ManualTime(), released = ReleaseCounter()
        defer { time.finish() }
        let idle = IdleRelease(now: time.now, sleep: time.sleep, release: released.add)
        for _ in 0..<50 { idle.passFinished(Self.pass) }
        #expect(await time.waitForSleepers([.seconds(2)]))
        time.advance(by: .seconds(2))
        #expect(await Poll.until(hangGuard: .seconds(240)) { released.value == 1 })
        #expect(await time.waitForSleepers([]))
        time.advance(by: .seconds(60))
        idle.passFinished(Self.pass)
        #expect(await time.waitForSleepers([.seconds(64)]))
        time.advance(by: .seconds(2))
        #expect(await Poll.until(hangGuard: .seconds(240)) { released.value == 2 })
        #expect(await time.waitForSleepers([]))
        #expect(released.value == 2)
    }

    @Test func noReleaseOnceWatchStops() async throws {
        let time = ManualTime(), released = ReleaseCounter()
        defer { time.finish() }
        let idle = IdleRelease(now: time.now, sleep: time.sleep, release: released.add)
        idle.passFinished(Self.pass)
        #expect(await time.waitForSleepers([.seconds(2)]))
        idle.stop()
        time.advance(by: .seconds(2))
        #expect(await time.waitForSleepers([]))
        idle.passFinished(Self.pass)
        #expect(time.wakes == [], "a pass after the stop starts nothing")
        #expect(released.value == 0)
    }
}

/// A clock and a sleep that move only when the test says: `sleep` waits until `advance` has
/// passed its wake time.
final class ManualTime: Sendable {
    private let state = Mutex<(now: Duration, sleepers: [(wake: Duration, continuation: CheckedContinuation<Void, any Error>)])>((.zero, []))

    var now: @Sendable () -> Duration { { self.state.withLock { $0.now } } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { duration in
            try await withCheckedThrowingContinuation { continuation in
                self.state.withLock { $0.sleepers.append(($0.now + duration, continuation)) }
            }
        }
    }

    /// The wake times of the sleeps waiting now.
    var wakes: [Duration] { state.withLock { $0.sleepers.map(\.wake) } }

    func advance(by duration: Duration) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.wake <= now }.map(\.continuation)
            state.sleepers.removeAll { $0.wake <= now }
            return due
        }
        for continuation in due { continuation.resume() }
    }

    /// Waits until exactly these sleeps wait (a woken task has gone on to its next one, or ended).
    func waitForSleepers(_ wakes: [Duration]) async -> Bool {
        await Poll.until(hangGuard: .seconds(240)) { self.wakes == wakes }
    }

    /// Ends every sleep still waiting, as cancellation would, so that no task is left hanging.
    func finish() {
        let all = state.withLock { state in
            defer { state.sleepers = [] }
            return state.sleepers.map(\.continuation)
        }
        for continuation in all { continuation.resume(throwing: CancellationError()) }
    }
}

final class ReleaseCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    var add: @Sendable () -> Void { { self.count.withLock { $0 += 1 } } }
}
