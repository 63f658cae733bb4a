/// What the planner needs besides the two states.
public struct PlanContext: Sendable {
    public var owner: String
    public var allowMassDelete: Bool
    /// Fingerprinted canonical configurations by config hash, for field diffs of replacements.
    public var knownConfigs: [String: JSONValue]
    /// Kubernetes: the namespace of specs that name none (the kubeconfig context's, else "default").
    public var kubeNamespace: String
    /// Kubernetes: whether a kind is namespaced, from API discovery, keyed by
    /// `PlanContext.kindKey(apiVersion:kind:)`. Kinds not listed count as namespaced.
    public var kubeIsNamespaced: [String: Bool]
    /// What the guard held on earlier passes, and what a person released since.
    public var heldDeletions = HeldDeletions()
    /// Removed specs whose deletion this run may carry out (`apply --allow-delete NAME`).
    public var allowDelete: Set<String> = []
    /// Only these spec names are planned (`plan web worker`); nil plans everything.
    public var selection: Set<String>?
    /// The state folder's fingerprint key: secret values in diffs are shown as HMACs under it.
    public var secretKey: [UInt8] = []
    /// Let a plan create more than `MassCreateGuard.limit` at once (`--allow-mass-create`).
    public var allowMassCreate = false

    public init(owner: String, allowMassDelete: Bool = false, knownConfigs: [String: JSONValue] = [:],
                kubeNamespace: String = "default", kubeIsNamespaced: [String: Bool] = [:]) {
        self.owner = owner; self.allowMassDelete = allowMassDelete; self.knownConfigs = knownConfigs
        self.kubeNamespace = kubeNamespace; self.kubeIsNamespaced = kubeIsNamespaced
    }

    /// "apps/v1/Deployment": the key of `kubeIsNamespaced`.
    public static func kindKey(apiVersion: String, kind: String) -> String { apiVersion + "/" + kind }

    /// Discovery's answer for a kind, nil when unknown.
    public func isNamespaced(apiVersion: String, kind: String) -> Bool? {
        kubeIsNamespaced[PlanContext.kindKey(apiVersion: apiVersion, kind: kind)]
    }
}

/// Desired state + observed state -> plan. Pure and synchronous: no I/O, no clock, so every
/// decision can be tested as a table.
public enum Planner {
    public static func plan(desired: DesiredState, observed: [ObservedResource], context: PlanContext) -> Plan {
        var actions: [Action] = []
        var orphans: [Action] = []
        var notes: [String] = []
        var blocked: [BlockedSpec] = []

        // A Kubernetes object is acted on only when it carries this owner's label, whatever
        // the adapter's list call returned.
        let mine = observed.filter { $0.target != "kubernetes" || $0.kubeOwner == context.owner }
        // Suspended specs (`"suspend": true`, `berth suspend NAME`) are left out whole: no
        // action, no healing, and no deletion of a suspended spec whose file was removed.
        let suspended = desired.suspended.union(desired.specs.filter(\.suspend).map(\.name))
        let identified = mine.filter { $0.isIdentified && $0.state != .removing }
        let owned = identified.filter { !suspended.contains($0.name!) }
        for name in suspended.sorted() {
            let count = identified.filter { $0.name == name }.count
            notes.append("suspended: \(name) (\(count) resource\(count == 1 ? "" : "s") left alone)")
        }
        let planned = desired.specs.filter { !suspended.contains($0.name) }
        // Kubernetes objects without berth.name are KubeDecision's: it restores the label of
        // one a spec names and words its own note.
        let unlabelled = mine.filter { !$0.isIdentified && $0.target != "kubernetes" }
        if !unlabelled.isEmpty {
            let names = unlabelled.map(\.engineName).sorted().joined(separator: ", ")
            let labels = unlabelled.contains { $0.kind == "container" } ? "berth.name/berth.replica" : "berth.name"
            notes.append("left alone: \(names) carry the owner label but no valid \(labels)")
        }
        var groups: [ResourceKey: [ObservedResource]] = [:]
        for resource in owned where resource.target != "kubernetes" {
            groups[ResourceKey(target: resource.target, kind: resource.kind, name: resource.name!, replica: resource.replica), default: []].append(resource)
        }
        let specsByName = Dictionary(planned.map { ($0.target + "/" + $0.name, $0) }, uniquingKeysWith: { a, _ in a })

        let kube = KubeDecision.plan(specs: planned.filter { $0.target == "kubernetes" },
                                     observed: owned.filter { $0.target == "kubernetes" }, context: context,
                                     others: KubeDecision.Others(observed, owner: context.owner))
        actions += kube.actions
        orphans += kube.orphans
        notes += kube.notes
        for spec in planned where spec.target != "kubernetes" {
            let hash = spec.configHash
            switch spec.target {
            case "docker":
                for replica in stride(from: 1, through: spec.replicas, by: 1) {
                    let key = ResourceKey(target: spec.target, kind: "container", name: spec.name, replica: replica)
                    actions += ContainerDecision.decide(
                        key: key, spec: spec, hash: hash, found: groups[key] ?? [], context: context)
                }
            default:
                let key = ResourceKey(target: spec.target, kind: "service", name: spec.name)
                let decided = ServiceDecision.decide(key: key, spec: spec, hash: hash, found: groups[key] ?? [], context: context)
                actions += decided.actions
                blocked += decided.blocked
            }
        }

        for (key, resources) in groups {
            if let spec = specsByName[key.target + "/" + key.name] {
                if let replica = key.replica, replica > spec.replicas {
                    actions += resources.map {
                        delete(key, $0, reason: "scaled down to \(spec.replicas) replica\(spec.replicas == 1 ? "" : "s")")
                    }
                }
            } else {
                // `"prune": false`: left running and given up, never deleted; not a deletion
                // the guard weighs either.
                for resource in resources {
                    if resource.prune {
                        orphans.append(delete(key, resource, reason: "spec removed"))
                    } else {
                        actions.append(Action(op: .release, key: key, reason: "prune: false", existingID: resource.id, existingName: resource.engineName))
                    }
                }
            }
        }

        let guarded = Planner.guardDeletions(
            orphans: orphans, owned: owned, invalidFiles: desired.invalidFiles + Set(kube.clashingFiles).subtracting(desired.invalidFiles).sorted(),
            context: context)
        actions += guarded.delete
        notes += guarded.notes
        var plan = Plan(actions: actions, errors: desired.errors + kube.errors, held: guarded.held, notes: notes, blocked: blocked)
        plan.guardHeld = guarded.guardHeld
        plan.orphanSpecs = guarded.orphanSpecs
        plan.specCount = desired.specs.count
        if let selection = context.selection {
            plan.actions = plan.actions.filter { selection.contains($0.key.name) }
            plan.held = plan.held.filter { selection.contains($0.key.name) }
        }
        return MassCreateGuard.apply(to: plan, allow: context.allowMassCreate)
    }

    static func delete(_ key: ResourceKey, _ resource: ObservedResource, reason: String) -> Action {
        Action(op: .delete, key: key, reason: reason, existingID: resource.id, existingName: resource.engineName)
    }
}
