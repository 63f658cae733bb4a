/// The decisions for target kubernetes: each spec becomes objects (`KubeObjects`), each
/// object is created when missing and updated when its config hash differs or it drifted;
/// objects a still-existing spec no longer makes are deleted. Create and update are both
/// one server-side apply of `Action.native`; the plan still says which and why.
enum KubeDecision {
    struct Result {
        var actions: [Action] = []
        /// Objects whose spec is gone: deleted under the planner's hold-back rules.
        var orphans: [Action] = []
        var errors: [SpecError] = []
        /// Files whose objects clash with another's: treated like invalid files.
        var clashingFiles: [String] = []
        var notes: [String] = []
    }

    static func plan(target: TargetName = .kubernetes, specs: [Spec], observed: [ObservedResource], context: PlanContext,
                     facts: KubeFacts = KubeFacts(), others: Others = Others()) -> Result {
        var result = Result()
        let (objectsBySpec, clashing) = objects(specs, context: context, facts: facts, into: &result)
        var found: [String: ObservedResource] = [:]
        for resource in observed {
            guard let id = resource.kubeObject else { continue }
            found[id.identity] = found[id.identity] ?? resource
        }
        var wanted: Set<String> = []
        for spec in specs where !clashing.contains(spec.name) {
            for object in objectsBySpec[spec.name] ?? [] {
                wanted.insert(object.id.identity)
                if found[object.id.identity] != nil, let again = others.inTerminatingNamespace(object, spec: spec) {
                    result.actions.append(again)
                    continue
                }
                if found[object.id.identity] == nil, let other = others.decide(object, spec: spec, into: &result) {
                    result.actions += other
                    continue
                }
                if let action = decide(object, spec: spec, found: found[object.id.identity], secretKey: context.secretKey) { result.actions.append(action) }
            }
        }
        let strays = others.unnamed.filter { !wanted.contains($0.key) }.map(\.value.engineName).sorted()
        if !strays.isEmpty {
            result.notes.append("left alone: \(strays.joined(separator: ", ")) carry the owner label but no valid berth.name label, and no spec names them")
        }
        let specNames = Set(specs.map(\.name))
        for (identity, resource) in found.sorted(by: { $0.key < $1.key }) where !wanted.contains(identity) {
            guard let name = resource.name, !clashing.contains(name), let object = resource.kubeObject else { continue }
            let key = ResourceKey.object(target, name, object)
            if specNames.contains(name) {
                result.actions.append(deletion(key, resource, reason: "no longer in spec \(name)"))
            } else if !resource.prune {
                result.actions.append(release(key, resource))
            } else {
                result.orphans.append(deletion(key, resource, reason: "spec removed"))
            }
        }
        return result
    }

    /// `"prune": false`: the object stays, given up by berth. The action carries the JSON merge
    /// patch that removes every `berth.` label and annotation the object has now; without its
    /// owner label berth never lists it again.
    static func release(_ key: ResourceKey, _ resource: ObservedResource) -> Action {
        var metadata: [String: JSONValue] = [:]
        for field in ["labels", "annotations"] {
            let keys = (resource.native?["metadata"]?[field]?.objectValue ?? [:]).keys.filter { $0.hasPrefix(Labels.prefix) }
            if !keys.isEmpty { metadata[field] = .object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.null) })) }
        }
        return Action(op: .release, key: key, reason: "prune: false", existingID: resource.id, existingName: resource.engineName,
                      native: .object(["metadata": .object(metadata)]))
    }

    /// A delete that names the object observed by its uid, so the adapter deletes only that
    /// object, never one of the same name someone put in its place since.
    static func deletion(_ key: ResourceKey, _ resource: ObservedResource, reason: String) -> Action {
        var action = Planner.delete(key, resource, reason: reason)
        if let uid = resource.native?["metadata"]?["uid"] {
            action.native = .object(["metadata": .object(["uid": uid])])
        }
        return action
    }

    static func action(_ op: Action.Op, _ object: KubeObject, spec: Spec, found: ObservedResource?, reason: String,
                       changes: [FieldChange] = []) -> Action {
        let key = ResourceKey.object(spec.target, spec.name, object.id)
        return Action(op: op, key: key, reason: reason, spec: spec, configHash: object.configHash, existingID: found?.id,
                      existingName: found?.engineName, changes: changes, native: object.body)
    }

    static func decide(_ object: KubeObject, spec: Spec, found: ObservedResource?, secretKey: [UInt8] = []) -> Action? {
        func action(_ op: Action.Op, _ reason: String, _ changes: [FieldChange] = []) -> Action {
            KubeDecision.action(op, object, spec: spec, found: found, reason: reason, changes: changes)
        }
        guard let found else { return action(.create, "missing") }
        let drift = KubeDrift.changes(desired: object.body, observed: found.native, mask: spec.secretMask(key: secretKey))
        if found.configHash != object.configHash {
            // What the spec no longer sends is removed by the apply: say so, as for what it adds.
            let changes = (drift + KubeRemovedFields.changes(desired: object.body, observed: found.native)).sorted { $0.path < $1.path }
            let from = found.configHash.map { String($0.prefix(12)) } ?? "none"
            let reason = changes.isEmpty ? "config hash changed (\(from) -> \(object.configHash.prefix(12)))" : "config hash changed"
            return action(.update, reason, changes)
        }
        if !drift.isEmpty {
            return action(.update, "drifted out of band: " + drift.map(\.path).joined(separator: ", "), drift)
        }
        return nil
    }

    /// Every spec's objects, and the specs whose objects clash with another object of the
    /// same identity: both are refused with an error naming the other, like duplicate names.
    private static func objects(_ specs: [Spec], context: PlanContext, facts: KubeFacts, into result: inout Result) -> ([SpecName: [KubeObject]], Set<SpecName>) {
        var bySpec: [SpecName: [KubeObject]] = [:]
        var first: [String: (spec: SpecName, object: KubeObject)] = [:]
        var clashing: Set<SpecName> = []
        for spec in specs {
            let objects = KubeObjects.make(spec: spec, owner: context.owner, defaultNamespace: facts.namespace,
                                           isNamespaced: { facts.isNamespaced(apiVersion: $0, kind: $1) })
            bySpec[spec.name] = objects
            for object in objects {
                guard let earlier = first[object.id.identity] else { first[object.id.identity] = (spec.name, object); continue }
                clashing.formUnion([spec.name, earlier.spec])
                result.errors.append(clash(object, with: earlier.object))
                result.errors.append(clash(earlier.object, with: object))
                result.clashingFiles += [object.origin.file, earlier.object.origin.file]
            }
        }
        return (bySpec, clashing)
    }

    private static func clash(_ object: KubeObject, with other: KubeObject) -> SpecError {
        SpecError(file: object.origin.file, path: object.origin.path, position: object.origin.position,
                  message: "\(object.id) is also defined at \(other.origin.file):\(other.origin.position) (\(other.origin.path))")
    }
}
