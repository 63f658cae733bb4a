/// The dependency order in a plan: each create, replace, start and update names the specs it
/// waits for, and a note says the order the specs go in. Only dependencies this plan acts on
/// are named: the executor waits for those (their actions, then their readiness); one the
/// plan leaves alone is as it was.
extension Planner {
    static let ordered: Set<Action.Op> = [.create, .replace, .start, .update]

    static func order(_ plan: Plan, specs: [Spec]) -> Plan {
        let edges = Dependencies.resolve(specs).edges
        guard !edges.isEmpty else { return plan }
        var plan = plan
        let acting = Set(plan.actions.map { SpecKey(target: $0.key.target, name: $0.key.name) })
        for index in plan.actions.indices where ordered.contains(plan.actions[index].op) {
            let key = plan.actions[index].key
            plan.actions[index].after = (edges[SpecKey(target: key.target, name: key.name)] ?? []).filter { acting.contains($0) }
        }
        guard plan.actions.contains(where: { !$0.after.isEmpty }) else { return plan }
        let sequence = Dependencies.order(edges).filter { acting.contains($0) }
        let oneTarget = Set(sequence.map(\.target)).count == 1
        plan.notes.append("dependency order: " + sequence.map { oneTarget ? $0.name.rawValue : $0.description }.joined(separator: ", "))
        return plan
    }
}
