/// What the Docker adapter knows of earlier container rollouts (`state/docker-rollouts.json`):
/// the spec contents whose rollout failed. Such a content is not rolled out again until the
/// spec changes: a watch would otherwise replace, fail and roll back in a loop.
public struct ContainerRolloutFacts: TargetFacts, Equatable {
    public struct Failed: Sendable, Equatable {
        /// The config hash the failed rollout was taking the replicas to.
        public var configHash: String
        /// What failed, in words ("replica 1: unhealthy: …; rolled back").
        public var message: String
        public init(configHash: String, message: String) { self.configHash = configHash; self.message = message }
    }

    /// Spec name -> its failed rollout.
    public var failed: [String: Failed]
    public init(failed: [String: Failed] = [:]) { self.failed = failed }

    /// The spec's current content failed to roll out: blocked, with the message shown.
    public func blocked(_ spec: Spec, hash: String) -> Failed? {
        guard let failed = failed[spec.name.rawValue], failed.configHash == hash else { return nil }
        return failed
    }
}

extension PlanContext {
    /// A target's container rollout facts (none when its adapter gave none).
    public func containerRollouts(_ target: TargetName) -> ContainerRolloutFacts {
        facts[target] as? ContainerRolloutFacts ?? ContainerRolloutFacts()
    }
}

extension UpdatePolicy {
    /// Swarm's defaults where the spec is silent: one at a time, no delay, stop-first
    /// (start-first where no host port is bound is chosen by the spec), roll back on failure,
    /// 5 s of monitoring.
    public static let defaultMonitorNanoseconds: Int64 = 5_000_000_000
}
