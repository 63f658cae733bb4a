@testable import BerthEngine
import BerthJournal
import BerthModel
import Foundation
import Testing

/// Issue 17.10: while a target is unreachable its platform is probed, and the watch
/// reconciles as soon as it answers, not when a backoff grown long runs out.
@Suite(.timeLimit(.minutes(5)))
struct ControllerProbeTests {
    /// A cluster that is away until `bringBack()`; its probe waits for that moment.
    actor AwayPlatform: Platform, ReachabilityProbe {
        nonisolated let target: TargetName = "kubernetes"
        nonisolated let platform: PlatformID = "kubernetes"
        var away = true
        var observed = 0
        var probes = 0
        var performed: [String] = []
        var waiting: [CheckedContinuation<Void, Never>] = []

        func observe(owner: String) async throws -> [ObservedResource] {
            observed += 1
            if away { throw BerthError(.engineError, "cannot reach the Kubernetes API", cause: "connection refused", isRetryable: true) }
            return []
        }

        func perform(_ action: Action, owner: String) async throws { performed.append("\(action.op.rawValue) \(action.key.name)") }

        func waitUntilReachable() async -> Bool {
            probes += 1
            guard away else { return false }
            await withCheckedContinuation { waiting.append($0) }
            return true
        }

        func bringBack() {
            away = false
            for continuation in waiting { continuation.resume() }
            waiting = []
        }
    }

    @Test func aTargetThatAnswersAgainIsReconciledAtOnce() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let platform = AwayPlatform()
        // Backoffs never end here: only the probe can bring the key back.
        let controller = Controller(
            configuration: .init(owner: "o"), platforms: [platform], journal: try Journal(path: dir.appendingPathComponent("j.jsonl").path),
            load: { DesiredState(specs: [Spec(name: "web", target: "kubernetes", image: "x:1")]) }, log: { _ in },
            sleeper: Sleeper(sleep: { _ in try await Task.sleep(for: .seconds(3600)) }, random: { 0.5 }))
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }
        await controller.enqueue(Controller.everything)
        // Hang guards: nothing here waits on a clock but a starved machine.
        let deadline = ContinuousClock.now + .seconds(30)
        while await platform.probes == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await platform.probes == 1)
        await platform.bringBack()
        while await platform.performed.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await platform.performed == ["create web"])
    }
}
