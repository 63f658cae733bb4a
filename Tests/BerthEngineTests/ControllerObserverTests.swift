@testable import BerthEngine
import BerthJournal
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// The controller tells its observers what each pass did: actions and their results, drift
/// and heals, convergence, reachability.
@Suite(.timeLimit(.minutes(5)))
struct ControllerObserverTests {
    /// Containers in memory: create runs one, start runs a stopped one.
    actor MemoryPlatform: Platform {
        nonisolated let target: TargetName = "docker"
        nonisolated let platform: PlatformID = "docker"
        var containers: [String: ObservedResource] = [:]
        var unreachable = false

        func observe(owner: String) async throws -> [ObservedResource] {
            if unreachable { throw BerthError(.engineUnreachable, "listing containers", cause: "connection refused") }
            return containers.values.sorted { $0.id < $1.id }
        }

        func perform(_ action: Action, owner: String) async throws {
            let id = "\(action.key.name)-\(action.key.replica ?? 1)"
            switch action.op {
            case .create:
                containers[id] = ObservedResource(id: id, name: action.key.name, replica: action.key.replica, engineName: "o-\(id)",
                                                  configHash: action.configHash, state: .running)
            case .start: containers[id]?.state = .running
            case .delete: containers[id] = nil
            default: throw BerthError(.unsupported, "\(action.op)")
            }
        }

        func stopByHand(_ id: String) { containers[id]?.state = .stopped("exited") }
        func setUnreachable(_ value: Bool) { unreachable = value }
    }

    final class Heard: ControllerObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var passes: [PassSummary] = []
        func add(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
        var converged: Int { lock.withLock { passes.filter(\.converged).count } }
        var passCount: Int { lock.withLock { passes.count } }

        func passFinished(_ pass: PassSummary) { lock.withLock { passes.append(pass) } }
        func actionFinished(target: String, kind: String, op: String, succeeded: Bool, attempts: Int) {
            add("action \(target) \(kind) \(op) \(succeeded ? "ok" : "failed") \(attempts)")
        }
        func driftSeen(target: String, name: String, reason: String) { add("drift \(target)/\(name): \(reason)") }
        func driftHealed(target: String, name: String) { add("healed \(target)/\(name)") }
        func reachabilityChanged(target: String, reachable: Bool, cause: String?) {
            add("\(target) \(reachable ? "up" : "down")" + (cause.map { ": \($0)" } ?? ""))
        }
    }

    @Test func observersHearActionsDriftHealsConvergenceAndReachability() async throws {
        let dir = try TemporaryDirectory.make(named: "berth-observe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let platform = MemoryPlatform(), heard = Heard()
        let controller = Controller(
            configuration: .init(owner: "o", workers: 1), platforms: [platform], journal: try Journal(path: dir + "/j.jsonl"),
            load: { DesiredState(specs: [Spec(name: "web", image: "x:1")]) }, log: { _ in },
            sleeper: Sleeper(sleep: { _ in try await Task.sleep(for: .seconds(3600)) }, random: { 0.5 }))
        await controller.addObserver(heard)
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }

        await controller.enqueue(Controller.everything)
        #expect(await Poll.until(hangGuard: .seconds(30)) { heard.converged >= 1 })
        #expect(heard.all == ["docker up", "action docker container create ok 1"], "a first create is no drift")

        // Stopped by hand: drift, healed by a start.
        await platform.stopByHand("web-1")
        await controller.enqueue("docker/web")
        #expect(await Poll.until(hangGuard: .seconds(30)) { heard.all.contains("healed docker/web") })
        #expect(heard.all.suffix(3) == ["drift docker/web: container is exited", "action docker container start ok 1", "healed docker/web"])
        #expect(await Poll.until(hangGuard: .seconds(30)) { heard.converged >= 2 })

        // The engine goes away: said once, with its cause.
        await platform.setUnreachable(true)
        let before = heard.passCount
        await controller.enqueue(Controller.everything)
        #expect(await Poll.until(hangGuard: .seconds(30)) { heard.passCount > before })
        #expect(heard.all.last?.hasPrefix("docker down: ") == true)
        #expect(heard.all.last?.contains("connection refused") == true)
    }

    @Test func aContainerRemovedByHandIsDriftButAFirstCreateIsNot() async throws {
        let dir = try TemporaryDirectory.make(named: "berth-observe")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let platform = MemoryPlatform(), heard = Heard()
        let controller = Controller(
            configuration: .init(owner: "o", workers: 1), platforms: [platform], journal: try Journal(path: dir + "/j.jsonl"),
            load: { DesiredState(specs: [Spec(name: "web", image: "x:1")]) }, log: { _ in },
            sleeper: Sleeper(sleep: { _ in try await Task.sleep(for: .seconds(3600)) }, random: { 0.5 }))
        await controller.addObserver(heard)
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }
        await controller.enqueue(Controller.everything)
        #expect(await Poll.until(hangGuard: .seconds(30)) { heard.converged >= 1 })
        // Seen made after the create, then removed by hand.
        await controller.enqueue("docker/web")
        #expect(await Poll.until(hangGuard: .seconds(30)) { heard.converged >= 2 })
        try await platform.perform(Action(op: .delete, key: ResourceKey.container("docker", "web", replica: 1), reason: "by hand"), owner: "o")
        await controller.enqueue("docker/web")
        #expect(await Poll.until(hangGuard: .seconds(30)) { heard.all.contains("healed docker/web") })
        #expect(heard.all.contains("drift docker/web: missing"))
        #expect(heard.all.filter { $0.hasPrefix("drift") }.count == 1)
    }
}
