/// The owner's networks on engine targets, planned after the specs' own resources because
/// whether a network may go depends on which containers this plan deletes. Networks are
/// not in any config hash: a container missing one is joined in place, never replaced.
extension Planner {
    struct NetworkOutcome {
        var actions: [Action]
        var notes: [String] = []
    }

    /// `actions`: the plan so far (its deletions decide which containers leave a network).
    /// `invalidFiles`: an invalid file may still name a network, so none is deleted.
    static func networks(desired: DesiredState, observed: [ObservedResource], suspended: Set<SpecName>, actions: [Action],
                         invalidFiles: Bool, context: PlanContext) -> NetworkOutcome {
        var out = NetworkOutcome(actions: actions)
        let engineSpecs = desired.specs.filter { $0.platform == .docker || $0.platform == .swarm }
        let networks = observed.filter { $0.kind == NetworkNames.kind && $0.name != nil && $0.state != .removing }
        // Deleted and released resources leave the networks in this plan (a released one is
        // no longer berth's, and berth never sees it again).
        let deleted = Set(actions.filter { $0.op == .delete || $0.op == .release }.compactMap(\.existingID))
        let targets = Set(engineSpecs.map(\.target)).union(networks.map(\.target))
        for target in targets.sorted() {
            let specs = engineSpecs.filter { $0.target == target }
            let active = specs.filter { !suspended.contains($0.name) }
            let here = Dictionary(grouping: networks.filter { $0.target == target }) { $0.name!.rawValue }
            // What can be on a network: containers, and Swarm services (by their tasks).
            let containers = observed.filter { $0.target == target && ($0.kind == "container" || $0.kind == "service") }
            // Where Docker made two networks of one name (a create retried on a loaded
            // engine), the one containers use is kept and the empty spares are deleted.
            var kept: [String: ObservedResource] = [:]
            for (name, found) in here {
                let used = found.filter { net in containers.contains { $0.networks?.contains(net.id) == true } }
                let keep = used.first ?? found.min { $0.id < $1.id }!
                kept[name] = keep
                for spare in found where spare.id != keep.id && !used.contains(spare) {
                    out.actions.append(Action(op: .delete, key: key(target, name), reason: "duplicate of network \(keep.engineName) (the engine made two of one name)",
                                              existingID: spare.id, existingName: spare.engineName))
                }
            }
            // Made when a running spec uses it (the owner's own is made with the first
            // container that joins it, and not shown as a resource of its own).
            var users: [String: [SpecName]] = [:]
            for spec in active { for name in NetworkNames.wanted(spec) { users[name, default: []].append(spec.name) } }
            for (name, names) in users where name != NetworkNames.ownerNetwork && here[name] == nil {
                out.actions.append(Action(op: .create, key: key(target, name), reason: "used by " + names.sorted().map(\.rawValue).joined(separator: ", ")))
            }
            // Deleted when no spec, suspended ones included, uses it and no container stays on it.
            let inUse = Set(specs.flatMap(NetworkNames.wanted))
            for (name, network) in kept.sorted(by: { $0.key < $1.key }) where !inUse.contains(name) {
                // A container of a running spec that no longer lists the network leaves it with
                // the delete; others (held, suspended, released, somebody's) keep it.
                let leaving: Set<SpecName> = Set(active.filter { $0.platform == .docker }.map(\.name))
                let staying = containers.filter {
                    $0.networks.map { $0.contains(network.id) || $0.contains(network.engineName) } == true && !deleted.contains($0.id) && !($0.kind == "container" && $0.name.map(leaving.contains) == true)
                }
                let delete = Action(op: .delete, key: key(target, name), reason: "no spec uses it", existingID: network.id, existingName: network.engineName)
                // Kept, said in a note: the guard's held deletions (or invalid files) are what
                // waits for a person, and a network goes with the last of them.
                if invalidFiles {
                    out.notes.append("network \(network.engineName) kept while invalid files exist (one may still use it)")
                } else if staying.isEmpty {
                    out.actions.append(Action(op: .delete, key: key(target, name), reason: "no spec uses it", existingID: network.id, existingName: network.engineName))
                } else {
                    out.notes.append("network \(network.engineName) kept: no spec uses it, but \(staying.map(\.engineName).sorted().joined(separator: ", ")) \(staying.count == 1 ? "is" : "are") on it")
                }
            }
            for spec in active where spec.platform == .docker || spec.platform == .swarm {
                joins(spec, kept: kept, containers: containers, deleted: deleted, owner: context.owner, into: &out.actions)
            }
        }
        return out
    }

    /// Each kept container (Swarm service) of the spec that is not on one of its networks joins
    /// it in place: `~ update … not on network main-default`, folded into the pass's update
    /// of it if any (a service's update sends its networks whatever the reason).
    private static func joins(_ spec: Spec, kept: [String: ObservedResource], containers: [ObservedResource], deleted: Set<String>,
                              owner: String, into actions: inout [Action]) {
        let wanted = NetworkNames.wanted(spec)
        guard !wanted.isEmpty else { return }
        let keys: [ResourceKey] = spec.platform == .swarm ? [.service(spec.target, spec.name)]
            : stride(from: 1, through: spec.replicas, by: 1).map { ResourceKey.container(spec.target, spec.name, replica: $0) }
        for key in keys {
            let replica = key.replica
            // One action per container per pass: a new container joins at its create, and a
            // start or stop this pass is followed by the join on the next.
            let others = actions.indices.filter { actions[$0].key == key && actions[$0].op != .delete }
            if others.contains(where: { actions[$0].op != .update }) { continue }
            guard let container = containers.first(where: { $0.kind == key.kind && $0.name == spec.name && $0.replica == replica && !deleted.contains($0.id) }),
                  let on = container.networks else { continue }
            // By ID, or by name for a container never started (see `ObservedResource.networks`).
            let missing = wanted.filter { name in kept[name].map { !on.contains($0.id) && !on.contains($0.engineName) } ?? true }
                .map { NetworkNames.engineName(owner: owner, target: spec.target, network: $0) }
            guard !missing.isEmpty else { continue }
            let reason = "not on network\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", "))"
            if let index = others.first {
                actions[index].reason += "; " + reason
            } else {
                actions.append(Action(op: .update, key: key, reason: reason, spec: spec, configHash: spec.configHash,
                                      existingID: container.id, existingName: container.engineName))
            }
        }
    }

    private static func key(_ target: TargetName, _ name: String) -> ResourceKey {
        // A network is named by itself, not by a spec: its key carries the network's name.
        ResourceKey(target: target, name: SpecName(name), unit: .network)
    }
}
