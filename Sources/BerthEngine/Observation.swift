import BerthModel

/// Observes every platform at once. A target that cannot be observed (the engine is no swarm
/// manager, a cluster is unreachable) takes its own specs out of the plan, so nothing is
/// created twice or deleted for it, while the other targets still converge.
public struct Observation: Sendable {
    public var observed: [ObservedResource]
    /// The desired state less the specs of targets that failed.
    public var desired: DesiredState
    public var failures: [(target: String, error: any Error)]
    /// The targets contacted; the others are in use by no spec and hold nothing of berth's.
    public var attempted: Set<String> = []

    /// `contact` limits which targets are asked (nil: all of them).
    public static func run(platforms: [any Platform], owner: String, desired: DesiredState,
                           contact: Set<String>? = nil) async -> Observation {
        var observed: [ObservedResource] = []
        var failures: [(String, any Error)] = []
        let asked = platforms.filter { contact?.contains($0.target) ?? true }
        await withTaskGroup(of: (String, Result<[ObservedResource], any Error>).self) { group in
            for platform in asked {
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
        // With `contact` given, a target is asked because berth made something there: that it
        // cannot be reached is a failure (what was made cannot be checked); only "no swarm
        // here" stays quiet when no spec asks for one.
        failures = failures.filter {
            wanted.contains($0.0) || !(contact == nil ? Observation.isUnavailable($0.1) : (($0.1 as? BerthError)?.code == .unsupported))
        }
        var kept = desired
        let failed = Set(failures.map(\.0))
        kept.specs = desired.specs.filter { !failed.contains($0.target) }
        // Its resources are unknown, and one of its specs may be the one that moved from
        // another target: nothing may be pruned on the strength of their absence.
        if !failed.isEmpty { kept.invalidFiles += failed.sorted().map { "target \($0) unavailable" } }
        return Observation(observed: observed, desired: kept, failures: failures.sorted { $0.0 < $1.0 },
                           attempted: Set(asked.map(\.target)))
    }

    /// The targets to contact: those a spec names, and those where berth made something that
    /// may still be there (so a removed spec's resources are still found and pruned).
    public static func contact(desired: DesiredState, made: Set<String>) -> Set<String> {
        made.union(desired.specs.map(\.target))
    }

    /// Where berth has made something, after this observation: a target observed holding
    /// nothing of berth's is dropped unless a spec names it; one not observed keeps its entry.
    public func made(previously: Set<String>) -> Set<String> {
        let failed = Set(failures.map(\.target))
        let holding = Set(observed.map(\.target))
        let emptied = attempted.subtracting(failed).subtracting(holding)
        return previously.subtracting(emptied).union(holding).union(desired.specs.map(\.target))
    }

    static func isUnavailable(_ error: any Error) -> Bool {
        [.unsupported, .engineUnreachable].contains((error as? BerthError)?.code)
    }
}
