@testable import BerthEngine
import BerthJournal
import BerthModel
import Foundation
import Testing

/// An engine's 4xx answer is final for that spec content: `watch` does not retry it with
/// backoff, holds it as refused (status says so) until the spec changes, then tries the new
/// content at once.
@Suite(.timeLimit(.minutes(5)))
struct ControllerRefusalTests {
    actor RefusingPlatform: Platform {
        nonisolated let target: TargetName = "docker"
        nonisolated let platform: PlatformID = "docker"
        var performed = 0
        func observe(owner: String) async throws -> [ObservedResource] { [] }
        func perform(_ action: Action, owner: String) async throws {
            performed += 1
            throw BerthError(.engineError, "creating container o-web-1", cause: "engine answered 400: invalid mount config", status: 400)
        }
    }

    /// The delays the controller asked to sleep; none come back by themselves.
    final class Sleeps: @unchecked Sendable {
        private let lock = NSLock()
        private var asked: [Duration] = []
        var delays: [Duration] { lock.withLock { asked } }
        var sleeper: Sleeper {
            Sleeper(sleep: { [self] d in lock.withLock { asked.append(d) }; try await Task.sleep(for: .seconds(3600)) }, random: { 0.5 })
        }
    }

    final class Last: @unchecked Sendable {
        private let lock = NSLock()
        private var report: StatusReport?
        private var count = 0
        func set(_ r: StatusReport) { lock.withLock { report = r; count += 1 } }
        var value: StatusReport? { lock.withLock { report } }
        var passes: Int { lock.withLock { count } }
        /// Waits until `n` reconciles have finished; the deadline is a hang guard only.
        func wait(_ n: Int) async throws {
            let deadline = ContinuousClock.now + .seconds(60)
            while passes < n, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    @Test func aRefusalIsHeldUntilTheSpecChanges() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-refusal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let platform = RefusingPlatform(), clock = ControllerHoldTests.Clock(), specs = ControllerHoldTests.Specs()
        let sleeps = Sleeps(), last = Last()
        let controller = Controller(
            configuration: .init(owner: "o", workers: 1), platforms: [platform], journal: try Journal(path: dir.appendingPathComponent("j.jsonl").path),
            load: { specs.state }, log: { _ in }, sleeper: sleeps.sleeper, now: { clock.read() })
        await controller.setStatusHandler { last.set($0) }
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }

        await controller.enqueue("docker/web")
        try await last.wait(1)
        #expect(await platform.performed == 1)
        #expect(sleeps.delays.isEmpty, "no backoff was scheduled for a 4xx")
        let error = last.value?.entries.first { $0.name == "web" }?.lastError ?? ""
        #expect(error.hasPrefix("refused, held until the spec changes: <memory>:1:1: the engine refused it (HTTP 400, not retried): creating container o-web-1"), "\(error)")
        // Time passes and events wake the key: the same content is not sent again.
        clock.advance(.seconds(3600))
        await controller.enqueue("docker/web")
        await controller.enqueue(Controller.everything)
        // The key, the full pass, and the key again that the full pass's plan enqueued.
        try await last.wait(4)
        #expect(await platform.performed == 1)
        #expect(sleeps.delays.isEmpty)
        // An edit is tried at once.
        specs.set(["sleep", "2"])
        await controller.enqueue("docker/web")
        let deadline = ContinuousClock.now + .seconds(60)
        while await platform.performed < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await platform.performed == 2)
    }
}
