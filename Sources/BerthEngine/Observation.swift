import BerthModel

/// Observes every platform at once. A target that cannot be observed (the engine is no swarm
/// manager, a cluster is unreachable) takes its own specs out of the plan, so nothing is
/// created twice or deleted for it, while the other targets still converge.
public struct Observation: Sendable {
    public var observed: [ObservedResource]
    /// The desired state less the specs of targets that failed.
    public var desired: DesiredState
    public var failures: [(target: TargetName, error: any Error)]
    /// The targets contacted; the others are in use by no spec and hold nothing of berth's.
    public var attempted: Set<TargetName> = []

    /// `contact` limits which targets are asked (nil: all of them). Every target is observed
    /// at once and on its own; with `retry`, a target that failed for a passing reason (a
    /// 503, a lost answer; not an engine that is not there) is asked again, alone, with
    /// backoff, and `retrying` hears each retry. This is the one observation `plan`, `apply`
    /// and `watch` share (watch with a shorter policy: its queue has a backoff of its own).
    public static func run(platforms: [any Platform], owner: String, desired: DesiredState,
                           contact: Set<TargetName>? = nil, retry: RetryPolicy? = nil,
                           retrying: @Sendable (String) -> Void = { _ in }) async -> Observation {
        let asked = platforms.filter { contact?.contains($0.target) ?? true }
        var results = await observeEach(asked, owner: owner, desired: desired)
        if let retry {
            for attempt in 1..<max(1, retry.maxAttempts) {
                let again = asked.filter { platform in
                    guard case .failure(let error) = results[platform.target] else { return false }
                    return RetryPolicy.shouldRetry(error) && (error as? BerthError)?.code != .engineUnreachable
                }
                guard let first = again.first, case .failure(let error) = results[first.target] else { break }
                let delay = retry.delay(after: attempt, random: Double.random(in: 0..<1))
                retrying("observing \(first.target): attempt \(attempt) failed, retrying in \(Controller.seconds(delay)): \(error)")
                try? await Task.sleep(for: delay)
                results.merge(await observeEach(again, owner: owner, desired: desired)) { _, new in new }
            }
        }
        var observed: [ObservedResource] = []
        var failures: [(TargetName, any Error)] = []
        for platform in asked {
            switch results[platform.target] {
            case .success(let found): observed += found
            case .failure(let error): failures.append((platform.target, error))
            case nil: break
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
        // Held per spec name, not everywhere: the other targets still prune what is theirs.
        kept.unobservedNames.formUnion(desired.specs.filter { failed.contains($0.target) }.map(\.name))
        kept.unobservedTargets.formUnion(failed)
        return Observation(observed: observed, desired: kept, failures: failures.sorted { $0.0 < $1.0 },
                           attempted: Set(asked.map(\.target)))
    }

    /// The targets to contact: those a spec names, and those where berth made something that
    /// may still be there (so a removed spec's resources are still found and pruned).
    public static func contact(desired: DesiredState, made: Set<TargetName>) -> Set<TargetName> {
        made.union(desired.specs.map(\.target))
    }

    /// Where berth has made something, after this observation: a target observed holding
    /// nothing of berth's is dropped unless a spec names it; one not observed keeps its entry.
    public func made(previously: Set<TargetName>) -> Set<TargetName> {
        let failed = Set(failures.map(\.target))
        let holding = Set(observed.map(\.target))
        let emptied = attempted.subtracting(failed).subtracting(holding)
        return previously.subtracting(emptied).union(holding).union(desired.specs.map(\.target))
    }

    static func observeEach(_ platforms: [any Platform], owner: String, desired: DesiredState) async -> [TargetName: Result<[ObservedResource], any Error>] {
        await withTaskGroup(of: (TargetName, Result<[ObservedResource], any Error>).self) { group in
            for platform in platforms {
                group.addTask {
                    do { return (platform.target, .success(try await platform.observe(owner: owner, desired: desired))) } catch {
                        return (platform.target, .failure(error))
                    }
                }
            }
            var results: [TargetName: Result<[ObservedResource], any Error>] = [:]
            for await (target, result) in group { results[target] = result }
            return results
        }
    }

    static func isUnavailable(_ error: any Error) -> Bool {
        [.unsupported, .engineUnreachable].contains((error as? BerthError)?.code)
    }
}
