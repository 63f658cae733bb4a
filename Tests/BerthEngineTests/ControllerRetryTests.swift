@testable import BerthEngine
import BerthJournal
import BerthModel
import Foundation
import Testing
import BerthTestSupport

/// A reconcile whose observation fails for a passing reason (the engine answered 503, an
/// answer was lost) is tried again with the key's backoff, not dropped until the next resync.
@Suite(.timeLimit(.minutes(5)))
struct ControllerRetryTests {
    /// Fails its first `failures` observations with a retryable engine error, then sees nothing.
    actor FlakyPlatform: Platform {
        nonisolated let target: TargetName = "docker"
        nonisolated let platform: PlatformID = "docker"
        var failures: Int
        var observed = 0
        var performed: [String] = []
        init(failures: Int) { self.failures = failures }

        func observe(owner: String) async throws -> [ObservedResource] {
            observed += 1
            if failures > 0 {
                failures -= 1
                throw BerthError(.engineError, "listing containers of owner o", cause: "engine answered 503: busy", isRetryable: true, status: 503)
            }
            return []
        }

        func perform(_ action: Action, owner: String) async throws { performed.append("\(action.op.rawValue) \(action.key.name)") }
    }

    @Test func aTransientObservationFailureRetriesTheKey() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-ctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let platform = FlakyPlatform(failures: 2)
        let delays = DelayLog()
        // Without retries within the pass, so that each failure is the key's.
        var configuration = Controller.Configuration(owner: "o")
        configuration.observeRetry = nil
        let controller = Controller(
            configuration: configuration, platforms: [platform], journal: try Journal(path: dir.appendingPathComponent("j.jsonl").path),
            load: { DesiredState(specs: [Spec(name: "web", image: "x:1")]) }, log: { _ in },
            sleeper: Sleeper(sleep: { delays.add($0) }, random: { 0.5 }))
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }
        // One trigger only, as one engine event: nothing else would bring the key back.
        await controller.enqueue("docker/web")
        // A hang guard: the sleeper is injected, so only a starved machine takes more than moments.
        _ = await Poll.until(hangGuard: .seconds(30)) { await !platform.performed.isEmpty }
        #expect(await platform.performed == ["create web"])
        #expect(await platform.observed >= 3)
        // The key's own backoff, growing: 1 s then 2 s, times the jitter factor (0.75 here).
        #expect(delays.all.prefix(2) == [.milliseconds(750), .milliseconds(1500)])
    }

    /// A passing failure of a listing is asked again within the pass (as plan and apply do),
    /// so a watch under occasional 503s does not back its keys off for longer and longer.
    @Test func aTransientObservationFailureIsAskedAgainWithinThePass() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-ctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let platform = FlakyPlatform(failures: 2)
        let delays = DelayLog()
        let lines = LineLog()
        let controller = Controller(
            configuration: .init(owner: "o"), platforms: [platform], journal: try Journal(path: dir.appendingPathComponent("j.jsonl").path),
            load: { DesiredState(specs: [Spec(name: "web", image: "x:1")]) }, log: { lines.add($0.message) },
            sleeper: Sleeper(sleep: { delays.add($0) }, random: { 0.5 }))
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }
        await controller.enqueue("docker/web")
        _ = await Poll.until(hangGuard: .seconds(30)) { await !platform.performed.isEmpty }
        #expect(await platform.performed == ["create web"])
        // The key never waited: both failures were asked again inside its one pass.
        #expect(delays.all.isEmpty, "\(delays.all)")
        #expect(lines.all.filter { $0.hasPrefix("retry: observing docker: attempt") }.count == 2, "\(lines.all)")
    }
}

final class DelayLog: @unchecked Sendable {
    private let lock = NSLock()
    private var delays: [Duration] = []
    func add(_ d: Duration) { lock.withLock { delays.append(d) } }
    var all: [Duration] { lock.withLock { delays } }
}

final class LineLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}
