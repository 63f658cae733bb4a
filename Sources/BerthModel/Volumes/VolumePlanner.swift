/// Named volumes on Docker targets as resources of the plan (`+ create docker volume data`).
/// Data outlives specs: a volume is never deleted because a spec went away. It is deleted
/// only when its spec made it with `"prune": true` and nothing uses it any more, or by
/// `berth down --volumes`. A volume of that name berth did not make is used as it is.
public enum VolumePlanner {
    public struct Decision: Sendable {
        public var actions: [Action] = []
        public var held: [Action] = []
        public var notes: [String] = []
    }

    /// `specs`: every spec, suspended ones included (a suspended spec still uses its volumes);
    /// `planned`: those acted on now. `observed` holds volumes and containers alike;
    /// `deleting`: the ids of containers this plan deletes (their volumes may go with them).
    public static func decide(specs: [Spec], planned: [Spec], observed: [ObservedResource], deleting: Set<String>,
                              invalidFiles: [String], selection: Set<SpecName>?, owner: String) -> Decision {
        var decision = Decision()
        let volumes = observed.filter(\.isVolume)
        let containers = observed.filter { !$0.isVolume }
        var found: [ResourceKey: ObservedResource] = [:]
        for volume in volumes { if let name = volume.name { found[key(volume.target, name.rawValue)] = volume } }

        // Creates: each volume a planned spec mounts and the target does not hold.
        var wanted: [ResourceKey: [VolumeUse]] = [:]
        for spec in planned where spec.platform == .docker {
            for mount in spec.volumes where !mount.isBind {
                wanted[key(spec.target, mount.source), default: []].append(VolumeUse(spec: spec.name, prune: mount.prune))
            }
        }
        for (volumeKey, uses) in wanted.sorted(by: { $0.key < $1.key }) {
            if let selection, !uses.contains(where: { selection.contains($0.spec) }) { continue }
            let users = Set(uses.map(\.spec)).sorted().map(\.rawValue).joined(separator: ", ")
            let prune = uses.contains(where: \.prune)
            guard let existing = found[volumeKey] else {
                decision.actions.append(Action(
                    op: .create, key: volumeKey, reason: "used by \(users)" + (prune ? " (prune: true)" : ""),
                    native: body(name: volumeKey.name.rawValue, target: volumeKey.target, owner: owner, prune: prune)))
                continue
            }
            // Labels cannot change on a volume: say once why a prune asked for now will not happen.
            if prune && (existing.unowned || !existing.prune) {
                decision.notes.append("volume \(volumeKey.name) on \(volumeKey.target) was \(existing.unowned ? "not made by berth" : "made without \"prune\": true"): berth never deletes it")
            }
        }

        // Deletes: only volumes berth made with prune, used by no spec and by no container
        // that stays.
        guard selection == nil else { return decision }
        var usedBySpecs: Set<ResourceKey> = []
        for spec in specs where spec.platform == .docker {
            for mount in spec.volumes where !mount.isBind { usedBySpecs.insert(key(spec.target, mount.source)) }
        }
        for (volumeKey, volume) in found.sorted(by: { $0.key < $1.key }) {
            guard !volume.unowned, volume.prune, !usedBySpecs.contains(volumeKey) else { continue }
            let users = containers.filter { $0.target == volume.target && $0.mountedVolumes.contains(volumeKey.name.rawValue) }
            guard users.allSatisfy({ deleting.contains($0.id) }) else { continue }
            var action = delete(volume, reason: "unused, made with prune: true", after: users.map(\.id))
            if !invalidFiles.isEmpty {
                action.reason = "unused, held back while invalid files exist"
                decision.held.append(action)
            } else {
                decision.actions.append(action)
            }
        }
        return decision
    }

    /// Every volume berth made for this owner (`berth down --volumes`), or those the named specs mount.
    public static func deleteAll(observed: [ObservedResource], specs: [Spec], names: Set<SpecName>?) -> [Action] {
        var mounted: Set<ResourceKey> = []
        for spec in specs where names?.contains(spec.name) ?? true {
            for mount in spec.volumes where !mount.isBind { mounted.insert(key(spec.target, mount.source)) }
        }
        return observed.filter { $0.isVolume && !$0.unowned }.compactMap { volume -> Action? in
            guard let name = volume.name else { return nil }
            if names != nil && !mounted.contains(key(volume.target, name.rawValue)) { return nil }
            return delete(volume, reason: "berth down --volumes", after: [])
        }.sorted()
    }

    /// The create body: berth's labels make it a resource of this owner and target.
    public static func body(name: String, target: TargetName, owner: String, prune: Bool) -> JSONValue {
        var labels: [String: JSONValue] = [Labels.owner: .string(owner), Labels.kind: .string(ObservedResource.volumeKind)]
        if prune { labels[Labels.prune] = .string("true") }
        if !target.isImplicit { labels[Labels.target] = .string(target.rawValue) }
        return .object(["Name": .string(name), "Labels": .object(labels)])
    }

    /// The ids a volume's deletion waits for: containers the same plan deletes.
    public static func waitsFor(_ action: Action) -> [String] {
        action.native?["after"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// A volume is named by itself, not by a spec: its key carries the volume's name.
    static func key(_ target: TargetName, _ name: String) -> ResourceKey {
        ResourceKey(target: target, name: SpecName(name), unit: .volume)
    }

    static func delete(_ volume: ObservedResource, reason: String, after: [String]) -> Action {
        Action(op: .delete, key: key(volume.target, volume.name?.rawValue ?? volume.engineName), reason: reason,
               existingID: volume.engineName, existingName: volume.engineName,
               native: after.isEmpty ? nil : .object(["after": .array(after.sorted().map { .string($0) })]))
    }

    struct VolumeUse {
        var spec: SpecName
        var prune: Bool
    }
}
