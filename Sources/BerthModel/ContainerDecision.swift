/// The decision for one container replica: keep, create, start, replace, and which
/// duplicates to remove.
enum ContainerDecision {
    /// `blocked`: the spec's content failed to roll out; a replica still on another content is
    /// not replaced, only started again when it stopped (or made when missing).
    static func decide(key: ResourceKey, spec: Spec, hash: String, found: [ObservedResource], context: PlanContext,
                       blocked: Bool = false) -> [Action] {
        let expectedName = Names.container(owner: context.owner, target: key.target, spec: spec.name, replica: key.replica!)
        // A crash mid-replace can leave two containers for one replica: keep the best, drop the rest.
        let ranked = found.sorted { rank($0, hash, expectedName) < rank($1, hash, expectedName) }
        var actions = ranked.dropFirst().map {
            Planner.delete(key, $0, reason: "duplicate of replica \(key.replica!) (\($0.engineName))")
        }
        guard let keep = ranked.first else {
            // Made now it would be of the content that failed: left to the next spec change.
            if blocked { return actions }
            // A spec kept stopped is created and left stopped; the reason says so.
            actions.append(Action(op: .create, key: key, reason: spec.state == .stopped ? "missing (kept stopped by spec)" : "missing",
                                  spec: spec, configHash: hash))
            return actions
        }
        // A rollout's own order is the spec's; one that binds a host port cannot start first.
        let strategy: Action.Strategy = spec.bindsHostPorts ? .stopFirst
            : spec.rollout.map { $0.order == "stop-first" ? .stopFirst : .startFirst } ?? .startFirst
        func replace(_ reason: String, _ changes: [FieldChange] = []) -> Action {
            Action(op: .replace, key: key, reason: reason, spec: spec, configHash: hash, existingID: keep.id,
                   existingName: keep.engineName, strategy: strategy, changes: changes)
        }
        if keep.configHash != hash, blocked {
            if spec.state == .running, case .stopped(let state) = keep.state {
                actions.append(Action(op: .start, key: key, reason: "container is \(state) (on the previous content: the new one is blocked)",
                                      spec: spec, configHash: keep.configHash, existingID: keep.id, existingName: keep.engineName))
            }
            return actions
        }
        if keep.configHash != hash {
            let (reason, changes) = ConfigDiff.configChanged(from: keep.configHash, to: spec, hash: hash, known: context.knownConfigs, key: context.secretKey)
            actions.append(replace(reason, changes))
            return actions
        }
        if keep.state == .dead {
            actions.append(replace("container is dead"))
            return actions
        }
        if keep.engineName != expectedName {
            actions.append(replace("named \(keep.engineName), expected \(expectedName)"))
            return actions
        }
        if let running = keep.imageID, let wanted = keep.wantedImageID, running != wanted {
            actions.append(replace("image changed", [FieldChange(path: "image ID of \(spec.image)", old: short(running), new: short(wanted))]))
            return actions
        }
        let wanted = ContainerSettings(spec: spec)
        let drift = keep.settings?.drift(from: wanted) ?? []
        if drift.contains(where: { !$0.inPlace }) {
            // The engine's update call takes 0 as "leave it": a limit cannot be lifted in place.
            let reason = drift.map(\.description).joined(separator: "; ") + " (the engine cannot lift a limit in place)"
            actions.append(replace(reason))
        } else if !drift.isEmpty {
            // One action per container per pass (the executor runs a plan's actions in
            // parallel): the update also brings the run state to the spec's.
            actions.append(Action(op: .update, key: key, reason: drift.map(\.description).joined(separator: "; "), spec: spec,
                                  configHash: hash, existingID: keep.id, existingName: keep.engineName,
                                  native: wanted.updateBody(for: drift)))
        } else if spec.state == .stopped {
            if keep.state == .running {
                actions.append(Action(op: .stop, key: key, reason: "running, spec says \"state\": \"stopped\"", spec: spec,
                                      configHash: hash, existingID: keep.id, existingName: keep.engineName))
            }
        } else if case .stopped(let state) = keep.state {
            actions.append(Action(op: .start, key: key, reason: "container is \(state)", spec: spec, configHash: hash,
                                  existingID: keep.id, existingName: keep.engineName))
        }
        return actions
    }

    /// "sha256:0112052b1833…" is enough to tell two images apart in a plan.
    private static func short(_ id: String) -> String { id.hasPrefix("sha256:") ? String(id.prefix(19)) : id }

    /// Lower is better: current config, then running, then the expected name, then a stable tie-break.
    private static func rank(_ r: ObservedResource, _ hash: String, _ expectedName: String) -> (Int, Int, Int, String) {
        (r.configHash == hash ? 0 : 1, r.state == .running ? 0 : 1, r.engineName == expectedName ? 0 : 1, r.id)
    }
}
