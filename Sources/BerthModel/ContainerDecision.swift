/// The decision for one container replica: keep, create, start, replace, and which
/// duplicates to remove.
enum ContainerDecision {
    static func decide(key: ResourceKey, spec: Spec, hash: String, found: [ObservedResource], context: PlanContext) -> [Action] {
        let expectedName = "\(context.owner)-\(spec.name)-\(key.replica!)"
        // A crash mid-replace can leave two containers for one replica: keep the best, drop the rest.
        let ranked = found.sorted { rank($0, hash, expectedName) < rank($1, hash, expectedName) }
        var actions = ranked.dropFirst().map {
            Planner.delete(key, $0, reason: "duplicate of replica \(key.replica!) (\($0.engineName))")
        }
        guard let keep = ranked.first else {
            actions.append(Action(op: .create, key: key, reason: "missing", spec: spec, configHash: hash))
            return actions
        }
        let strategy: Action.Strategy = spec.bindsHostPorts ? .stopFirst : .startFirst
        func replace(_ reason: String, _ changes: [FieldChange] = []) -> Action {
            Action(op: .replace, key: key, reason: reason, spec: spec, configHash: hash, existingID: keep.id,
                   existingName: keep.engineName, strategy: strategy, changes: changes)
        }
        if keep.configHash != hash {
            let (reason, changes) = ConfigDiff.configChanged(from: keep.configHash, to: spec, hash: hash, known: context.knownConfigs, key: context.secretKey)
            actions.append(replace(reason, changes))
        } else if keep.state == .dead {
            actions.append(replace("container is dead"))
        } else if keep.engineName != expectedName {
            actions.append(replace("named \(keep.engineName), expected \(expectedName)"))
        } else if case .stopped(let state) = keep.state {
            actions.append(Action(op: .start, key: key, reason: "container is \(state)", spec: spec, configHash: hash,
                                  existingID: keep.id, existingName: keep.engineName))
        }
        return actions
    }

    /// Lower is better: current config, then running, then the expected name, then a stable tie-break.
    private static func rank(_ r: ObservedResource, _ hash: String, _ expectedName: String) -> (Int, Int, Int, String) {
        (r.configHash == hash ? 0 : 1, r.state == .running ? 0 : 1, r.engineName == expectedName ? 0 : 1, r.id)
    }
}
