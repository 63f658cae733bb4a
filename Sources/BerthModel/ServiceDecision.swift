/// The decision for one service an engine schedules itself (Swarm): create; replace when the
/// mode changes (Swarm cannot change it in place); update in place when the config hash
/// changed, the image behind the reference changed, or the service drifted out of band;
/// drop duplicates. A spec content Swarm already rolled back or paused, or whose keys the
/// engine did not keep, is blocked rather than sent again.
enum ServiceDecision {
    static let imagePath = "TaskTemplate.ContainerSpec.Image"
    static let replicasPath = "Mode.Replicated.Replicas"
    static let replicasLabelPath = "Labels." + Labels.replicas

    static func decide(key: ResourceKey, spec: Spec, hash: String, found: [ObservedResource],
                       context: PlanContext) -> (actions: [Action], blocked: [BlockedSpec]) {
        let expectedName = ServiceBody.name(owner: context.owner, spec: spec.name, target: spec.target)
        let ranked = found.sorted {
            ($0.engineName == expectedName ? 0 : 1, $0.configHash == hash ? 0 : 1, $0.id)
                < ($1.engineName == expectedName ? 0 : 1, $1.configHash == hash ? 0 : 1, $1.id)
        }
        var actions = ranked.dropFirst().map { Planner.delete(key, $0, reason: "duplicate of service \(expectedName) (\($0.engineName))") }
        guard let keep = ranked.first else {
            actions.append(Action(op: .create, key: key, reason: "missing", spec: spec, configHash: hash))
            return (actions, [])
        }
        let rollout = keep.swarm ?? SwarmRollout()
        let desired = ServiceBody.make(spec: spec, owner: context.owner, configHash: hash, image: pinnedImage(spec, keep))
        let drift = NativeDrift.changes(desired: desired, observed: keep.native, mask: spec.secretMask(key: context.secretKey))
        if let blocked = blocked(key, hash, keep, rollout, drift) { return (actions, [blocked]) }
        func change(_ op: Action.Op, _ reason: String, _ changes: [FieldChange]) -> Action {
            Action(op: op, key: key, reason: reason, spec: spec, configHash: hash, existingID: keep.id,
                   existingName: keep.engineName, strategy: op == .replace ? .stopFirst : nil, changes: changes)
        }
        if let native = keep.native, (native["Mode"]?["Global"] != nil) != (spec.mode == .global) {
            let from = spec.mode == .global ? "replicated" : "global", to = spec.mode == .global ? "global" : "replicated"
            actions.append(change(.replace, "mode \(from) -> \(to): Swarm cannot change a service's mode in place, so it is removed and created again",
                                  [FieldChange(path: "mode", old: "\"\(from)\"", new: "\"\(to)\"")]))
            return (actions, [])
        }
        if keep.configHash != hash {
            let (reason, changes) = ConfigDiff.configChanged(from: keep.configHash, to: spec, hash: hash, known: context.knownConfigs, key: context.secretKey)
            actions.append(change(.update, reason, changes))
            return (actions, [])
        }
        if !drift.isEmpty {
            actions.append(change(.update, reason(drift, spec: spec, keep: keep), drift))
        }
        return (actions, [])
    }

    /// The image the service should run: the desired reference's current identity on the
    /// engine. Unknown (not on the engine yet) means whatever runs under that reference stays.
    static func pinnedImage(_ spec: Spec, _ keep: ObservedResource) -> String? {
        if let wanted = keep.swarm?.wantedImage { return wanted }
        let sameRef = keep.native?["Labels"]?[Labels.image]?.stringValue == spec.image
        return sameRef ? keep.native?["TaskTemplate"]?["ContainerSpec"]?["Image"]?.stringValue : nil
    }

    /// A rollback or pause of this very content, or engine-dropped keys that are all the drift left.
    static func blocked(_ key: ResourceKey, _ hash: String, _ keep: ObservedResource, _ rollout: SwarmRollout,
                        _ drift: [FieldChange]) -> BlockedSpec? {
        let said = rollout.message.map { ": \"\($0)\"" } ?? ""
        let advice = "berth does not send the same spec content again; change the spec to try again"
        if rollout.rolledBack, rollout.sentHash == hash, keep.configHash != hash {
            let what = rollout.state == "rollback_paused" ? "rolled back the update to this spec content and paused" : "rolled back the update to this spec content"
            return BlockedSpec(key: key, configHash: hash, message: "Swarm \(what) (\(rollout.state!))\(said); \(advice)")
        }
        if rollout.state == "paused", keep.configHash == hash {
            let running = keep.running.map { ", \($0) task\($0 == 1 ? "" : "s") running" } ?? ""
            return BlockedSpec(key: key, configHash: hash, message: "Swarm paused the update to this spec content\(said)\(running); \(advice) (or roll back with `docker service rollback \(keep.engineName)`)")
        }
        if keep.configHash == hash, rollout.sentHash == hash, !rollout.unkept.isEmpty, !drift.isEmpty,
           drift.allSatisfy({ rollout.unkept.contains($0.path) }) {
            return BlockedSpec(key: key, configHash: hash, message: "the engine did not keep \(rollout.unkept.joined(separator: ", ")) (it ignores keys it does not know); remove them from the spec; \(advice)")
        }
        return nil
    }

    /// Says what changed: the image behind the reference, the spec's replica count, or
    /// something somebody else changed.
    static func reason(_ drift: [FieldChange], spec: Spec, keep: ObservedResource) -> String {
        var paths = drift.map(\.path)
        var parts: [String] = []
        if paths.contains(imagePath), keep.native?["Labels"]?[Labels.image]?.stringValue == spec.image {
            parts.append("image \(spec.image) changed on the engine")
            paths.removeAll { $0 == imagePath }
        }
        if paths.contains(replicasLabelPath) {
            let before = keep.native?["Labels"]?[Labels.replicas]?.stringValue ?? "?"
            parts.append("replicas \(before) -> \(spec.replicas)")
            paths.removeAll { $0 == replicasLabelPath || $0 == replicasPath }
        }
        if !paths.isEmpty { parts.append("drifted out of band: " + paths.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }
}
