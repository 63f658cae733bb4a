/// The decision for one service an engine schedules itself (Swarm): create, update in place
/// when the config hash changed or the service drifted out of band, and drop duplicates.
enum ServiceDecision {
    static func decide(key: ResourceKey, spec: Spec, hash: String, found: [ObservedResource], context: PlanContext) -> [Action] {
        let expectedName = ServiceBody.name(owner: context.owner, spec: spec.name)
        let ranked = found.sorted {
            ($0.engineName == expectedName ? 0 : 1, $0.configHash == hash ? 0 : 1, $0.id)
                < ($1.engineName == expectedName ? 0 : 1, $1.configHash == hash ? 0 : 1, $1.id)
        }
        var actions = ranked.dropFirst().map { Planner.delete(key, $0, reason: "duplicate of service \(expectedName) (\($0.engineName))") }
        guard let keep = ranked.first else {
            actions.append(Action(op: .create, key: key, reason: "missing", spec: spec, configHash: hash))
            return actions
        }
        func update(_ reason: String, _ changes: [FieldChange]) -> Action {
            Action(op: .update, key: key, reason: reason, spec: spec, configHash: hash, existingID: keep.id,
                   existingName: keep.engineName, changes: changes)
        }
        if keep.configHash != hash {
            let (reason, changes) = ConfigDiff.configChanged(from: keep.configHash, to: spec, hash: hash, known: context.knownConfigs, key: context.secretKey)
            actions.append(update(reason, changes))
            return actions
        }
        let drift = NativeDrift.changes(desired: ServiceBody.make(spec: spec, owner: context.owner, configHash: hash), observed: keep.native,
                                       mask: SecretMask(key: context.secretKey, names: spec.secretEnv))
        if !drift.isEmpty {
            actions.append(update("drifted out of band: " + drift.map(\.path).joined(separator: ", "), drift))
        }
        return actions
    }
}
