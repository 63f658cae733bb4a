/// Docker Engine containers: one per replica, each decided by `ContainerDecision`.
public struct DockerTranslator: PlatformTranslator {
    public let platform = PlatformID.docker
    public init() {}

    public func plan(_ input: TargetInput) -> TargetDecision {
        var decision = TargetDecision()
        let groups = EngineLeftovers.grouped(input.owned, target: input.target)
        let rollouts = input.context.containerRollouts(input.target)
        for spec in input.specs {
            let hash = spec.configHash
            // A content whose rollout failed is not tried again until the spec changes; the
            // replicas it left on the previous content are still healed.
            let failed = rollouts.blocked(spec, hash: hash)
            for replica in stride(from: 1, through: spec.replicas, by: 1) {
                let key = ResourceKey.container(input.target, spec.name, replica: replica)
                decision.actions += ContainerDecision.decide(key: key, spec: spec, hash: hash, found: groups[key] ?? [], context: input.context,
                                                             blocked: failed != nil)
            }
            if let failed {
                decision.blocked.append(BlockedSpec(key: ResourceKey(target: input.target, name: spec.name, unit: .replicas), configHash: hash,
                                                    message: "the rollout of this spec content failed (\(failed.message)); change the spec to try again"))
            }
        }
        EngineLeftovers.decide(groups, specs: input.specs, observed: input.observed, into: &decision)
        return decision
    }
}

/// Swarm services: one per spec, decided by `ServiceDecision`.
public struct SwarmTranslator: PlatformTranslator {
    public let platform = PlatformID.swarm
    public init() {}

    public func plan(_ input: TargetInput) -> TargetDecision {
        var decision = TargetDecision()
        let groups = EngineLeftovers.grouped(input.owned, target: input.target)
        for spec in input.specs {
            let key = ResourceKey.service(input.target, spec.name)
            let decided = ServiceDecision.decide(key: key, spec: spec, hash: spec.configHash, found: groups[key] ?? [], context: input.context)
            decision.actions += decided.actions
            decision.blocked += decided.blocked
        }
        EngineLeftovers.decide(groups, specs: input.specs, observed: input.observed, into: &decision)
        return decision
    }
}

/// What the two engine platforms share: resources keyed by replica, scale-down, removed specs
/// (deleted under the guard, or released with `"prune": false`), and unlabelled leftovers.
enum EngineLeftovers {
    static func grouped(_ owned: [ObservedResource], target: TargetName) -> [ResourceKey: [ObservedResource]] {
        var groups: [ResourceKey: [ObservedResource]] = [:]
        for resource in owned {
            groups[ResourceKey(target: target, name: resource.name!, unit: unit(of: resource)), default: []].append(resource)
        }
        return groups
    }

    /// An identified resource's unit: a container by its replica (identified means it has one).
    static func unit(of resource: ObservedResource) -> ResourceUnit {
        switch resource.kind {
        case "container": .replica(resource.replica!)
        case "service": .service
        case "network": .network
        case "volume": .volume
        default: .other(kind: resource.kind, id: "")
        }
    }

    static func decide(_ groups: [ResourceKey: [ObservedResource]], specs: [Spec], observed: [ObservedResource], into decision: inout TargetDecision) {
        let unlabelled = observed.filter { !$0.isIdentified }
        if !unlabelled.isEmpty {
            let names = unlabelled.map(\.engineName).sorted().joined(separator: ", ")
            let labels = unlabelled.contains { $0.kind == "container" } ? "berth.name/berth.replica" : "berth.name"
            decision.notes.append("left alone: \(names) carry the owner label but no valid \(labels)")
        }
        let specsByName = Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (key, resources) in groups {
            if let spec = specsByName[key.name] {
                if let replica = key.replica, replica > spec.replicas {
                    decision.actions += resources.map {
                        Planner.delete(key, $0, reason: "scaled down to \(spec.replicas) replica\(spec.replicas == 1 ? "" : "s")")
                    }
                }
            } else {
                // `"prune": false`: left running and given up, never deleted; not a deletion
                // the guard weighs either.
                for resource in resources {
                    if resource.prune {
                        decision.orphans.append(Planner.delete(key, resource, reason: "spec removed"))
                    } else {
                        decision.actions.append(Action(op: .release, key: key, reason: "prune: false", existingID: resource.id, existingName: resource.engineName))
                    }
                }
            }
        }
    }
}
