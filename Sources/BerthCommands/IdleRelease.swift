import BerthEngine
import BerthSystem
import Synchronization

/// Gives memory back once `watch` has gone idle: `quiet` after the last pass ended with no
/// pass since, it calls `release` (MemoryRelease.release) once. A pass pushes it back; the
/// next idle spell after new passes releases again, since a pass pages code back in and
/// grows the heap. A pass is the controller's unit of work, so "idle" means no reconcile,
/// whatever asked for it (events, resync, the specs, SIGHUP).
///
/// Time is injected (`now`, `sleep`) so that tests drive it by hand.
final class IdleRelease: ControllerObserver {
    let quiet: Duration
    private let now: @Sendable () -> Duration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let release: @Sendable () -> Void
    /// When the last pass ended (on `now`'s scale), whether a timer is waiting, and whether
    /// watch is stopping.
    private let state = Mutex<(lastPass: Duration, waiting: Bool, stopped: Bool)>((.zero, false, false))
    private let timer = Mutex<Task<Void, Never>?>(nil)

    init(quiet: Duration = .seconds(2),
         now: @escaping @Sendable () -> Duration = IdleRelease.monotonic,
         sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
         release: @escaping @Sendable () -> Void = { MemoryRelease.release() }) {
        self.quiet = quiet; self.now = now; self.sleep = sleep; self.release = release
    }

    /// Called from inside a pass: notes the time and, if no timer waits, starts one. One
    /// waiting task at most, however many passes come (events can bring hundreds a minute).
    func passFinished(_ pass: PassSummary) {
        let at = now()
        let start = state.withLock { state -> Bool in
            state.lastPass = at
            guard !state.waiting, !state.stopped else { return false }
            state.waiting = true
            return true
        }
        guard start else { return }
        timer.withLock { $0 = Task { await self.waitForIdle() } }
    }

    /// Sleeps until `quiet` has passed since the last pass, however many came meanwhile,
    /// then releases once.
    private func waitForIdle() async {
        var remaining = quiet
        while true {
            do { try await sleep(remaining) } catch {
                state.withLock { $0.waiting = false }
                return
            }
            // Decided under the lock, so that a pass ending now either counts here or starts
            // the next timer, never both.
            let next = state.withLock { state -> Duration? in
                let idle = now() - state.lastPass
                if state.stopped || idle >= quiet { state.waiting = false; return nil }
                return quiet - idle
            }
            guard let next else { break }
            remaining = next
        }
        if !state.withLock({ $0.stopped }) { release() }
    }

    /// watch is stopping: no release from now on.
    func stop() {
        state.withLock { $0.stopped = true }
        timer.withLock { $0.take() }?.cancel()
    }

    /// Time since an arbitrary fixed point, never going back.
    @Sendable static func monotonic() -> Duration { ContinuousClock.now - origin }
    private static let origin = ContinuousClock.now
}
