import BerthJournal
import BerthModel

/// Platforms that replace a spec's replicas as one rollout (Docker containers whose spec has
/// `update`): batch by batch, each new replica proven before the next.
public protocol RollingPlatform: Platform {
    /// Whether these replace actions (one spec's) are rolled out rather than done one by one.
    func rollsOut(_ action: Action) -> Bool
    /// Replaces the replicas of `actions` (one spec's, in replica order) as one rollout.
    func rollout(_ actions: [Action], owner: String, onEvent: @escaping @Sendable (RolloutEvent) async -> Void) async -> RolloutResult
}

extension Executor {
    /// The plan's actions as units of work: each action alone, except one spec's replacements
    /// on a rolling platform, which are one unit (a rollout holds one parallel slot).
    func units(_ actions: [Action]) -> [[Int]] {
        var units: [[Int]] = []
        var rollouts: [String: Int] = [:]
        for index in actions.indices {
            let action = actions[index]
            if action.op == .replace, let platform = platforms[action.key.target] as? any RollingPlatform, platform.rollsOut(action) {
                let key = action.key.target.qualifying(action.key.name)
                if let unit = rollouts[key] { units[unit].append(index); continue }
                rollouts[key] = units.count
            }
            units.append([index])
        }
        return units
    }

    /// One spec's rollout: the journal hears each batch, each proven replica, and how it ended.
    func runRollout(_ indices: [Int], _ actions: [Action], owner: String) async -> [(Int, Outcome)] {
        let mine = indices.map { actions[$0] }
        guard let platform = platforms[mine[0].key.target] as? any RollingPlatform else {
            // Not a rolling platform after all: each action on its own, so each has an outcome.
            var outcomes: [(Int, Outcome)] = []
            for index in indices { outcomes.append((index, await run(actions[index], owner: owner))) }
            return outcomes
        }
        let byReplica = Dictionary(mine.map { ($0.key.replica ?? 1, $0) }, uniquingKeysWith: { a, _ in a })
        let first = mine[0]
        let onEvent = self.onEvent
        let result = await platform.rollout(mine, owner: owner) { event in
            switch event {
            case .batch(let replicas):
                for replica in replicas { if let action = byReplica[replica] {
                    await self.record(action, owner: owner, event: "action-start", attempt: 1)
                    onEvent(.started(action))
                } }
            case .proven(let replicas):
                for replica in replicas { if let action = byReplica[replica] {
                    await self.record(action, owner: owner, event: "action-ok", attempt: 1, message: "proven")
                    onEvent(.succeeded(action, attempts: 1))
                } }
            case .failed(let replica, let reason):
                await self.recordRollout(first, owner: owner, event: "rollout-failed", replica: replica, message: reason)
            case .rolledBack(let replicas):
                await self.recordRollout(first, owner: owner, event: "rolled-back",
                                         message: "replicas \(replicas.map(String.init).joined(separator: ", ")) restored to their previous containers")
            case .paused(let replicas):
                await self.recordRollout(first, owner: owner, event: "rollout-paused",
                                         message: "replicas \(replicas.map(String.init).joined(separator: ", ")) left as they are (failureAction: pause)")
            }
        }
        var outcomes: [(Int, Outcome)] = []
        for index in indices {
            let action = actions[index], replica = action.key.replica ?? 1
            let error = Executor.rolloutError(result, replica: replica)
            // Proven replicas had their action-ok; a failure after it is told once, by the rollout's records.
            if let error, !result.proven.contains(replica) {
                await record(action, owner: owner, event: "action-failed", error: error, attempt: 1)
            }
            if let error { onEvent(.failed(action, error: error)) }
            outcomes.append((index, Outcome(action: action, error: error, attempts: 1)))
        }
        return outcomes
    }

    /// What one replica's action says of the rollout's end; nil: it is done.
    static func rolloutError(_ result: RolloutResult, replica: Int) -> String? {
        if result.succeeded { return nil }
        if replica == result.failedReplica {
            return "rollout failed: \(result.failure ?? "")" + (result.rolledBack.isEmpty ? "" : "; rolled back")
        }
        if result.rolledBack.contains(replica) { return "rolled back: \(result.failure ?? "")" }
        if result.proven.contains(replica) {
            return result.failure.map { "kept (failureAction: pause) after \($0)" } ?? result.stepError.map { "rollout: \($0)" }
        }
        return "not tried: the rollout stopped (\(result.failure ?? result.stepError ?? ""))"
    }

    func recordRollout(_ action: Action, owner: String, event: String, replica: Int? = nil, message: String) async {
        guard let journal else { return }
        var detail: [String: String] = [:]
        if let hash = action.configHash { detail["config-hash"] = String(hash.prefix(12)) }
        _ = try? await journal.append(JournalRecord(event: event, owner: owner, target: action.key.target.rawValue, kind: action.key.kind,
                                                name: action.key.name.rawValue, replica: replica, op: "rollout", file: action.spec?.origin.file,
                                                message: message, detail: detail))
    }
}

extension Executor {
    /// A replace its platform rolls out (a rollout of one replica is still a rollout).
    func isRollout(_ action: Action) -> Bool {
        (platforms[action.key.target] as? any RollingPlatform)?.rollsOut(action) ?? false
    }
}
