import BerthJSON
@testable import BerthModel
import Testing

/// Planner decisions for services an engine schedules itself (Swarm).
struct ServicePlannerTests {
    static let spec = Spec(name: "api", target: "swarm", image: "busybox:1", env: ["A": "1", "DB_PASSWORD": "p1"], replicas: 2)
    static let context = PlanContext(owner: "main")

    static func service(_ spec: Spec, native: JSONValue? = nil, hash: String? = nil, name: String = "main-api") -> ObservedResource {
        ObservedResource(id: "s1", target: "swarm", kind: "service", name: spec.name, replica: nil, engineName: name,
                         configHash: hash ?? spec.configHash, state: .running,
                         native: native ?? ServiceBody.make(spec: spec, owner: "main", configHash: spec.configHash), running: 2)
    }

    static func plan(_ specs: [Spec], _ observed: [ObservedResource]) -> String {
        Planner.plan(desired: DesiredState(specs: specs), observed: observed, context: context).description
    }

    @Test func missingServiceIsCreated() {
        #expect(Self.plan([Self.spec], []) == """
            + create swarm service api: missing
                image: "busybox:1"
                env.A: "1"
                env.DB_PASSWORD: (secret)
                replicas: 2
            Plan: 1 to create.
            """)
    }

    @Test func matchingServiceIsLeftAlone() {
        #expect(Self.plan([Self.spec], [Self.service(Self.spec)]) == "No changes: everything matches the specs.")
    }

    @Test func scaledOutOfBandIsPutBack() {
        var native = ServiceBody.make(spec: Self.spec, owner: "main", configHash: Self.spec.configHash)
        native = native.merging(.object(["Mode": .object(["Replicated": .object(["Replicas": .number("5")])])]))
        #expect(Self.plan([Self.spec], [Self.service(Self.spec, native: native)]) == """
            ~ update swarm service api: drifted out of band: Mode.Replicated.Replicas
                Mode.Replicated.Replicas: 5 -> 2
            Plan: 1 to update.
            """)
    }

    @Test func envChangedOutOfBandIsNamedAndSecretsHidden() {
        var changed = Self.spec
        changed.env = ["A": "2", "DB_PASSWORD": "p2", "EXTRA": "x"]
        let native = ServiceBody.make(spec: changed, owner: "main", configHash: Self.spec.configHash)
        let text = Self.plan([Self.spec], [Self.service(Self.spec, native: native)])
        #expect(text == """
            ~ update swarm service api: drifted out of band: env.A, env.DB_PASSWORD, env.EXTRA
                env.A: "2" -> "1"
                env.DB_PASSWORD: (secret value changed)
                env.EXTRA: removed (was "x")
            Plan: 1 to update.
            """)
        #expect(!text.contains("p1") && !text.contains("p2"))
    }

    @Test func engineDefaultsAreNotDrift() {
        let native = ServiceBody.make(spec: Self.spec, owner: "main", configHash: Self.spec.configHash).merging(.object([
            "TaskTemplate": .object(["ForceUpdate": .number("0"), "ContainerSpec": .object(["Isolation": .string("default")])]),
        ]))
        #expect(Self.plan([Self.spec], [Self.service(Self.spec, native: native)]) == "No changes: everything matches the specs.")
    }

    @Test func changedSpecUpdatesInPlace() {
        var changed = Self.spec
        changed.image = "busybox:2"
        #expect(Self.plan([changed], [Self.service(Self.spec)]).hasPrefix("~ update swarm service api: configuration changed"))
    }

    @Test func scalingIsAnUpdateNotAReplacement() {
        var scaled = Self.spec
        scaled.replicas = 3
        #expect(scaled.configHash == Self.spec.configHash)
        #expect(Self.plan([scaled], [Self.service(Self.spec)]).contains("Mode.Replicated.Replicas: 2 -> 3"))
    }

    @Test func removedSpecDeletesTheServiceUnderTheGuard() {
        let other = Spec(name: "web", target: "swarm", image: "busybox:1")
        let observed = [Self.service(Self.spec), Self.service(other, name: "main-web"), Self.service(
            Spec(name: "db", target: "swarm", image: "busybox:1"), name: "main-db")]
        #expect(Self.plan([Self.spec, other], observed) == "- delete swarm service db: spec removed\nPlan: 1 to delete.")
    }

    @Test func globalModeRendersGlobal() {
        var global = Self.spec
        global.mode = .global
        #expect(ServiceBody.make(spec: global, owner: "main", configHash: "h")["Mode"] == .object(["Global": .object([:])]))
    }
}
