@testable import BerthEngine
@testable import BerthJournal
import BerthModel
import Foundation
import Testing
import BerthTestSupport

/// A platform whose rollouts fail at a given replica (rolled back), and that records which
/// actions it was given one by one.
actor RollingRecorder: RollingPlatform {
    nonisolated let target: TargetName = "docker"
    nonisolated let platform: PlatformID = "docker"
    let failAt: Int?
    var rollouts: [[Int]] = []
    var performed: [String] = []
    init(failAt: Int?) { self.failAt = failAt }

    func observe(owner: String) async throws -> [ObservedResource] { [] }
    func perform(_ action: Action, owner: String) async throws { performed.append("\(action.op.rawValue) \(action.key.name)") }
    nonisolated func rollsOut(_ action: Action) -> Bool { action.op == .replace && action.spec?.rollout != nil }

    func rollout(_ actions: [Action], owner: String, onEvent: @escaping @Sendable (RolloutEvent) async -> Void) async -> RolloutResult {
        let replicas = actions.compactMap(\.key.replica)
        rollouts.append(replicas)
        var result = RolloutResult()
        for replica in replicas {
            await onEvent(.batch([replica]))
            if replica == failAt {
                result.failure = "replica \(replica): unhealthy"; result.failedReplica = replica
                await onEvent(.failed(replica: replica, reason: result.failure!))
                result.rolledBack = Array(replicas.prefix { $0 <= replica })
                await onEvent(.rolledBack(result.rolledBack))
                return result
            }
            result.proven.append(replica)
            await onEvent(.proven([replica]))
        }
        return result
    }
}

struct ExecutorRolloutTests {
    static func plan() -> Plan {
        var web = Spec(name: "web", image: "x:2", replicas: 3)
        web.rollout = UpdatePolicy(parallelism: 1)
        let replaces = (1...3).map { (replica: Int) in
            Action(op: .replace, key: .container("docker", "web", replica: replica), reason: "configuration changed",
                   spec: web, configHash: "h2", existingID: "old\(replica)", strategy: .startFirst)
        }
        let other = Action(op: .create, key: .container("docker", "db", replica: 1), reason: "missing",
                           spec: Spec(name: "db", image: "x:1"), configHash: "h")
        return Plan(actions: replaces + [other])
    }

    @Test func aSpecsReplacementsAreOneRolloutAndItsFailureIsJournalled() async throws {
        let dir = try TemporaryDirectory.make(named: "berth-rollout-exec")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal(path: dir + "/j.jsonl")
        let platform = RollingRecorder(failAt: 2)
        let outcomes = await Executor(platforms: [platform], journal: journal).execute(Self.plan(), owner: "o")
        #expect(await platform.rollouts == [[1, 2, 3]])
        #expect(await platform.performed == ["create db"])
        // In plan order: db's create first.
        #expect(outcomes.map(\.error) == [nil, "rolled back: replica 2: unhealthy", "rollout failed: replica 2: unhealthy; rolled back",
                                          "not tried: the rollout stopped (replica 2: unhealthy)"])
        let records = try JournalReader.read(path: dir + "/j.jsonl").records.filter { $0.name == "web" }
        #expect(records.map { "\($0.event) \($0.replica.map(String.init) ?? "-")" } == [
            "action-start 1", "action-ok 1", "action-start 2", "rollout-failed 2", "rolled-back -",
            "action-failed 2", "action-failed 3",
        ])
    }

    @Test func aRolloutThatSucceedsIsOneOutcomePerReplica() async {
        let platform = RollingRecorder(failAt: nil)
        let outcomes = await Executor(platforms: [platform], journal: nil).execute(Self.plan(), owner: "o")
        #expect(outcomes.allSatisfy { $0.succeeded })
        #expect(outcomes.count == 4)
    }
}
