import BerthJSON
@testable import BerthModel
import Testing

/// Swarm decisions of issue 19: spec contents Swarm refused, mode changes, image identity,
/// replica edits.
struct ServiceRolloutPlannerTests {
    typealias T = ServicePlannerTests
    static let new: Spec = { var s = T.spec; s.command = ["false"]; return s }()

    static func observed(_ spec: Spec, rollout: SwarmRollout, hash: String? = nil) -> ObservedResource {
        var service = T.service(spec, hash: hash)
        service.swarm = rollout
        return service
    }

    @Test func anUpdateSwarmRolledBackIsBlockedForThatContentOnly() {
        // After the rollback the engine holds the old spec again; berth's record says what it sent.
        let rolledBack = Self.observed(T.spec, rollout: SwarmRollout(state: "rollback_completed", message: "rollback completed", sentHash: Self.new.configHash))
        let plan = Planner.plan(desired: DesiredState(specs: [Self.new]), observed: [rolledBack], context: T.context)
        #expect(plan.actions.isEmpty)
        #expect(plan.description == """
            ! blocked swarm service api: Swarm rolled back the update to this spec content (rollback_completed): "rollback completed"; berth does not send the same spec content again; change the spec to try again
            No changes to make now. Blocked: 1 spec until changed (see above).
            """)
        var newer = Self.new
        newer.command = ["sleep", "60"]
        #expect(T.plan([newer], [rolledBack]).hasPrefix("~ update swarm service api: configuration changed"))
    }

    @Test func aPausedUpdateIsBlockedAndShown() {
        let paused = Self.observed(Self.new, rollout: SwarmRollout(state: "paused", message: "update paused due to failure", sentHash: Self.new.configHash))
        let plan = Planner.plan(desired: DesiredState(specs: [Self.new]), observed: [paused], context: T.context)
        #expect(plan.actions.isEmpty && plan.blocked.count == 1)
        #expect(plan.blocked.first?.message.hasPrefix("Swarm paused the update to this spec content: \"update paused due to failure\", 2 tasks running") == true)
    }

    @Test func keysTheEngineDroppedAreNotSentAgain() {
        var spec = T.spec
        spec.swarm = .object(["TaskTemplate": .object(["Resources": .object(["Limits": .object(["MemoryByte": .number("1")])])])])
        var stored = ServiceBody.make(spec: spec, owner: "main", configHash: spec.configHash)
        stored = JSONValue.object(stored.objectValue!.merging(["TaskTemplate": .object(["ContainerSpec": stored["TaskTemplate"]!["ContainerSpec"]!])]) { $1 })
        var service = T.service(spec, native: stored)
        service.swarm = SwarmRollout(sentHash: spec.configHash, unkept: ["TaskTemplate.Resources.Limits.MemoryByte"])
        let plan = Planner.plan(desired: DesiredState(specs: [spec]), observed: [service], context: T.context)
        #expect(plan.actions.isEmpty)
        #expect(plan.blocked.first?.message.hasPrefix("the engine did not keep TaskTemplate.Resources.Limits.MemoryByte") == true)
        // Without berth's record it is ordinary drift, sent once more.
        service.swarm = SwarmRollout()
        #expect(T.plan([spec], [service]).hasPrefix("~ update swarm service api: drifted out of band: TaskTemplate.Resources.Limits.MemoryByte"))
    }

    @Test func aModeChangeIsAReplacement() {
        var global = T.spec
        global.mode = .global
        global.replicas = 1
        #expect(T.plan([global], [T.service(T.spec)]) == """
            ~ replace swarm service api: mode replicated -> global: Swarm cannot change a service's mode in place, so it is removed and created again [stop-first]
                mode: "replicated" -> "global"
            Plan: 1 to replace.
            """)
    }

    @Test func aNewImageBehindTheSameReferenceIsAnUpdate() {
        let pinned = ServiceBody.make(spec: T.spec, owner: "main", configHash: T.spec.configHash, image: "sha256:aaa")
        var service = T.service(T.spec, native: pinned)
        service.swarm = SwarmRollout(wantedImage: "sha256:aaa")
        #expect(T.plan([T.spec], [service]) == "No changes: everything matches the specs.")
        service.swarm = SwarmRollout(wantedImage: "sha256:bbb")
        #expect(T.plan([T.spec], [service]) == """
            ~ update swarm service api: image busybox:1 changed on the engine
                TaskTemplate.ContainerSpec.Image: "sha256:aaa" -> "sha256:bbb"
            Plan: 1 to update.
            """)
        // Not on the engine (yet): what runs under that reference stays.
        service.swarm = SwarmRollout()
        #expect(T.plan([T.spec], [service]) == "No changes: everything matches the specs.")
    }

    @Test func aReplicaEditIsASpecChangeNotDrift() {
        var scaled = T.spec
        scaled.replicas = 3
        #expect(T.plan([scaled], [T.service(T.spec)]).hasPrefix("~ update swarm service api: replicas 2 -> 3\n"))
    }
}
