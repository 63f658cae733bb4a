@testable import BerthEngine
import BerthJournal
import BerthModel
import Foundation
import Testing

/// A key whose actions failed waits out its backoff even when an engine event wakes it early
/// (issue 19: a failing build ran 19 times a minute, "retrying in 1.0s" came 14 ms later);
/// a new spec content goes ahead at once.
@Suite(.timeLimit(.minutes(5)))
struct ControllerHoldTests {
    actor FailingPlatform: Platform {
        nonisolated let target: TargetName = "docker"
        nonisolated let platform: PlatformID = "docker"
        var performed = 0
        var observed = 0
        func observe(owner: String) async throws -> [ObservedResource] { observed += 1; return [] }
        func perform(_ action: Action, owner: String) async throws {
            performed += 1
            throw BerthError(.engineError, "building image x:1", cause: "the build failed")
        }
    }

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now = ContinuousClock.now
        func read() -> ContinuousClock.Instant { lock.withLock { now } }
        func advance(_ d: Duration) { lock.withLock { now = now + d } }
    }

    final class Specs: @unchecked Sendable {
        private let lock = NSLock()
        private var command = ["sleep", "1"]
        func set(_ c: [String]) { lock.withLock { command = c } }
        var state: DesiredState { lock.withLock { DesiredState(specs: [Spec(name: "web", image: "x:1", command: command)]) } }
    }

    /// Counts finished reconciles (the controller reports status after each).
    final class Passes: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
        /// Waits until `n` reconciles have finished; the deadline is a hang guard only.
        func wait(_ n: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while value < n, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test func anEventDuringTheBackoffDoesNotActAgainButANewContentDoes() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-hold-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let platform = FailingPlatform(), clock = Clock(), specs = Specs()
        // Retries sleep until the test ends: only the test's own adds bring the key back.
        let controller = Controller(
            configuration: .init(owner: "o", workers: 1), platforms: [platform], journal: try Journal(path: dir.appendingPathComponent("j.jsonl").path),
            load: { specs.state }, log: { _ in },
            sleeper: Sleeper(sleep: { _ in try await Task.sleep(for: .seconds(3600)) }, random: { 0.5 }), now: { clock.read() })
        let passes = Passes()
        await controller.setStatusHandler { _ in passes.add() }
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }

        await controller.enqueue("docker/web")
        try await passes.wait(1)
        #expect(await platform.performed == 1)
        // The failure's own echo, as an engine event: same content, inside the backoff.
        await controller.enqueue("docker/web")
        try await passes.wait(2)
        #expect(await platform.performed == 1, "held for its backoff")
        // Past the backoff it is tried again.
        clock.advance(.seconds(2))
        await controller.enqueue("docker/web")
        try await passes.wait(3)
        #expect(await platform.performed == 2)
        // A new spec content is tried at once, backoff or not.
        specs.set(["sleep", "2"])
        await controller.enqueue("docker/web")
        try await passes.wait(4)
        #expect(await platform.performed == 3)
    }
}
