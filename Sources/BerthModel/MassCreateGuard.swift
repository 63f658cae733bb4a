/// The mirror of the mass-delete guard: a plan that would start more than `limit` containers
/// (or Swarm replicas) at once holds every create until a person allows it with
/// `--allow-mass-create`. One small file of 100 specs x 1000 replicas must not start
/// 100,000 containers because someone pushed it.
public enum MassCreateGuard {
    public static let limit = 100
    /// Held creates listed in the plan; the note counts them all.
    public static let listed = 20

    /// What a create starts: one container, or a replicated service's replicas; a Kubernetes
    /// object counts once (the cluster's own quotas govern its pods).
    static func weight(_ action: Action) -> Int {
        guard let spec = action.spec, spec.platform == .swarm, spec.mode != .global else { return 1 }
        return max(spec.replicas, 1)
    }

    /// `plan` with its creates held when they start more than `limit` at once and `allow` is false.
    public static func apply(to plan: Plan, allow: Bool) -> Plan {
        let creates = plan.actions.filter { $0.op == .create }
        let total = creates.reduce(0) { $0 + weight($1) }
        guard !allow, total > limit else { return plan }
        var guarded = plan
        guarded.actions = plan.actions.filter { $0.op != .create }
        // The first few are listed: a hundred thousand held lines (and journal records) would
        // be the flood the guard is there to stop.
        let held = creates.prefix(listed).map { action -> Action in
            var held = action
            held.reason = action.reason + ", held back by the mass-create guard"
            return held
        }
        guarded.held = (plan.held + held).sorted()
        guarded.heldCreates = creates.count
        let more = creates.count > listed ? " (the first \(listed) of \(creates.count) held creates are listed)" : ""
        guarded.notes.append("refusing to start \(total) containers or replicas at once (more than \(limit)); pass --allow-mass-create if that is meant" + more)
        return guarded
    }
}
