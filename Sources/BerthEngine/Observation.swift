import BerthModel

/// Observes every platform at once. A target that cannot be observed (the engine is no swarm
/// manager, a cluster is unreachable) takes its own specs out of the plan, so nothing is
/// created twice or deleted for it, while the other targets still converge.
public struct Observation: Sendable {
    public var observed: [ObservedResource]
    /// The desired state less the specs of targets that failed.
    public var desired: DesiredState
    public var failures: [(target: String, error: any Error)]

    public static func run(platforms: [any Platform], owner: String, desired: DesiredState) async -> Observation {
        var observed: [ObservedResource] = []
        var failures: [(String, any Error)] = []
        await withTaskGroup(of: (String, Result<[ObservedResource], any Error>).self) { group in
            for platform in platforms {
                group.addTask {
                    do { return (platform.target, .success(try await platform.observe(owner: owner, desired: desired))) } catch {
                        return (platform.target, .failure(error))
                    }
                }
            }
            for await (target, result) in group {
                switch result {
                case .success(let found): observed += found
                case .failure(let error): failures.append((target, error))
                }
            }
        }
        let wanted = Set(desired.specs.map(\.target))
        // A target nobody asked for (no swarm specs on a plain engine, no Docker Engine for a
        // Kubernetes-only folder) is not a failure.
        failures = failures.filter { wanted.contains($0.0) || !Observation.isUnavailable($0.1) }
        var kept = desired
        let failed = Set(failures.map(\.0))
        kept.specs = desired.specs.filter { !failed.contains($0.target) }
        // Its resources are unknown, and one of its specs may be the one that moved from
        // another target: nothing may be pruned on the strength of their absence.
        if !failed.isEmpty { kept.invalidFiles += failed.sorted().map { "target \($0) unavailable" } }
        return Observation(observed: observed, desired: kept, failures: failures.sorted { $0.0 < $1.0 })
    }

    static func isUnavailable(_ error: any Error) -> Bool {
        [.unsupported, .engineUnreachable].contains((error as? BerthError)?.code)
    }
}
