import BerthEngine
import BerthJSON
import BerthModel

/// `update` on a docker spec: a replace of its replicas is a rollout (`RolloutMachine`), and a
/// content whose rollout failed is recorded and blocked until the spec changes.
extension DockerContainerAdapter: RollingPlatform, PlanningFacts {
    public func rollsOut(_ action: Action) -> Bool {
        action.op == .replace && action.spec?.rollout != nil && action.existingID != nil && action.configHash != nil
    }

    public func contribute(to context: PlanContext) async -> PlanContext {
        var context = context
        let failed = rollouts.failed(owner: context.owner)
        if !failed.isEmpty { context.facts[target] = ContainerRolloutFacts(failed: failed) }
        return context
    }

    public func rollout(_ actions: [Action], owner: String, onEvent: @escaping @Sendable (RolloutEvent) async -> Void) async -> RolloutResult {
        let spec = actions[0].spec!, hash = actions[0].configHash!
        let policy = DockerContainerAdapter.policy(spec, startFirst: actions.allSatisfy { $0.strategy != .stopFirst })
        let steps = ContainerRolloutSteps(ops: ContainerOperations(client: client, owner: owner, images: images), actions: actions,
                                          startFirst: policy.startFirst)
        let replicas = actions.compactMap(\.key.replica).sorted()
        let result = await RolloutRunner.run(replicas: replicas, policy: policy, steps: steps, clock: clock, onEvent: onEvent)
        // Kept so that the same content is not rolled out again until the spec changes.
        if let failure = result.failure {
            let message = failure + (result.paused ? "; paused" : result.rolledBack.isEmpty ? "" : "; rolled back")
            try? rollouts.record(owner: owner, spec: spec.name.rawValue, ContainerRolloutFacts.Failed(configHash: hash, message: message))
        } else if result.succeeded {
            try? rollouts.forget(owner: owner, spec: spec.name.rawValue)
        }
        return result
    }

    /// The spec's `update` in the machine's terms. A replica with a health check has until
    /// Docker could have called it unhealthy, and half a minute more, to turn healthy.
    static func policy(_ spec: Spec, startFirst: Bool) -> RolloutMachine.Policy {
        let update = spec.rollout ?? UpdatePolicy()
        var limit = Duration.seconds(120)
        if let health = spec.health {
            let interval = health.intervalNanoseconds ?? 30_000_000_000, timeout = health.timeoutNanoseconds ?? 30_000_000_000
            let total = (health.startPeriodNanoseconds ?? 0) + (interval + timeout) * Int64((health.retries ?? 3) + 1) + 30_000_000_000
            limit = .nanoseconds(total)
        }
        return RolloutMachine.Policy(
            parallelism: update.parallelism ?? 1, delay: .nanoseconds(update.delayNanoseconds ?? 0), startFirst: startFirst,
            rollback: update.failureAction != "pause",
            monitor: .nanoseconds(update.monitorNanoseconds ?? UpdatePolicy.defaultMonitorNanoseconds), healthLimit: limit)
    }
}
