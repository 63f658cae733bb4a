import BerthJSON
@testable import BerthModel
import Testing

/// A plan that would start more than 100 containers or replicas at once holds its creates
/// until a person passes --allow-mass-create; everything else in the plan goes ahead.
struct MassCreateGuardTests {
    static func plan(_ specs: [Spec], observed: [ObservedResource] = [], allow: Bool = false) -> Plan {
        var context = PlanContext(owner: "main")
        context.allowMassCreate = allow
        return Planner.plan(desired: DesiredState(specs: specs), observed: observed, context: context)
    }

    @Test func aHundredContainersGoAhead() {
        let plan = Self.plan([Spec(name: "web", image: "busybox:1", replicas: 100)])
        #expect(plan.count(.create) == 100 && plan.held.isEmpty && plan.notes.isEmpty)
    }

    @Test func moreAreHeldUntilAllowed() {
        let specs = (1...3).map { Spec(name: "s\($0)", image: "busybox:1", replicas: 40) }
        let stale = ObservedResource(id: "x", name: "gone", replica: 1, engineName: "main-gone-1", configHash: "h", state: .running)
        let kept = specs.map { ObservedResource(id: "k-\($0.name)", name: $0.name, replica: 1, engineName: "main-\($0.name)-1", configHash: $0.configHash, state: .running) }
        let plan = Self.plan(specs, observed: kept + [stale])
        #expect(plan.count(.create) == 0)
        #expect(plan.count(.delete) == 1)
        #expect(plan.held.count == 20)
        #expect(plan.held.first?.description == "create docker container s1 #2: missing, held back by the mass-create guard")
        #expect(plan.notes == ["refusing to start 117 containers or replicas at once (more than 100); pass --allow-mass-create if that is meant (the first 20 of 117 held creates are listed)"])
        #expect(plan.description.hasSuffix("note: refusing to start 117 containers or replicas at once (more than 100); pass --allow-mass-create if that is meant (the first 20 of 117 held creates are listed)\nPlan: 1 to delete. Held: 117 creates by the mass-create guard (see the note)."))
        let allowed = Self.plan(specs, observed: kept + [stale], allow: true)
        #expect(allowed.count(.create) == 117 && allowed.held.isEmpty)
    }

    @Test func swarmReplicasCount() {
        let service = Spec(name: "api", target: "swarm", image: "busybox:1", replicas: 500)
        #expect(Self.plan([service]).held.count == 1)
        #expect(Self.plan([service], allow: true).count(.create) == 1)
        var global = service
        global.mode = .global
        #expect(Self.plan([global]).count(.create) == 1)
    }
}
