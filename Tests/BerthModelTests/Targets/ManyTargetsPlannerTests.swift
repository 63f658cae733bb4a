import BerthJSON
@testable import BerthModel
import Testing

/// Specs over named targets and groups: read through berth.json, fanned out, planned per
/// target, and a platform registered only here planned through the same seam.
struct ManyTargetsPlannerTests {
    static let catalog: TargetCatalog = {
        let text = """
            {"targets": {"edge-1": {"platform": "docker", "host": "ssh://deploy@10.0.0.5"},
                         "edge-2": {"platform": "docker", "host": "tcp://10.0.0.6:2376"},
                         "edge-3": {"platform": "docker", "host": "unix:///run/edge-3.sock"},
                         "lab": {"platform": "stub"}},
             "groups": {"edge": ["edge-1", "edge-2", "edge-3"]}}
            """
        return TargetCatalog.parse(file: "/srv/berth.json", bytes: Array(text.utf8), platforms: [.docker, .swarm, .kubernetes, "stub"]).catalog!
    }()

    static func desired(_ files: [String: String]) -> DesiredState {
        DesiredState.assemble(files: files.map { ("specs/" + $0.key, Array($0.value.utf8)) }, catalog: catalog)
    }

    @Test func aGroupFansOneSpecOutOverItsMembers() {
        let state = Self.desired(["web.json": #"{"name": "web", "target": "edge", "image": "busybox:1", "replicas": 2}"#,
                                  "api.json": #"{"name": "api", "target": "edge", "image": "busybox:1", "ports": ["8080:80"]}"#])
        #expect(state.errors.isEmpty, "\(state.errors)")
        #expect(state.specs.filter { $0.name == "web" }.map(\.target) == ["edge-1", "edge-2", "edge-3"])
        #expect(state.specs.allSatisfy { $0.group == "edge" && $0.platform == .docker })
        // One host port on three engines is no collision.
        let plan = Planner.plan(desired: state, observed: [], context: PlanContext(owner: "main"))
        #expect(plan.description.components(separatedBy: "\n").filter { $0.hasPrefix("+") } == [
            "+ create edge-1 container api #1: missing", "+ create edge-1 container web #1: missing", "+ create edge-1 container web #2: missing",
            "+ create edge-2 container api #1: missing", "+ create edge-2 container web #1: missing", "+ create edge-2 container web #2: missing",
            "+ create edge-3 container api #1: missing", "+ create edge-3 container web #1: missing", "+ create edge-3 container web #2: missing",
        ])
    }

    @Test func anUnknownTargetIsAnErrorAtItsPlaceWithTheClosestName() {
        let state = Self.desired(["web.json": #"{"name": "web", "target": "egde", "image": "busybox:1"}"#])
        #expect(state.errors.map(\.description) == [
            #"specs/web.json:1:27: $.target: unknown target "egde" (did you mean "edge"?); expected one of "docker", "edge", "edge-1", "edge-2", "edge-3", "kubernetes", "lab", "swarm" (targets and groups of /srv/berth.json)"#,
        ])
        #expect(state.specs.isEmpty)
    }

    @Test func aPlatformFieldOnAnotherPlatformsTargetNamesBoth() {
        let state = Self.desired(["web.json": #"{"name": "web", "target": "edge", "image": "busybox:1", "mode": "global"}"#])
        #expect(state.errors.map(\.message) == [#""mode" is only for swarm targets (this spec's target "edge" is docker)"#])
    }

    /// Each target plans alone: what one holds is never matched against another's specs.
    @Test func eachTargetIsPlannedOnItsOwn() {
        var web = Spec(name: "web", target: "edge-1", image: "busybox:1")
        web.group = "edge"
        var other = web
        other.target = "edge-2"
        let current = ObservedResource(id: "a", target: "edge-1", name: "web", replica: 1, engineName: "main-edge-1-web-1",
                                       configHash: web.configHash, state: .running)
        // A stray replica on edge-3, whose spec names only edge-1 and edge-2 now.
        let stray = ObservedResource(id: "b", target: "edge-3", name: "web", replica: 1, engineName: "main-edge-3-web-1",
                                     configHash: web.configHash, state: .running)
        let plan = Planner.plan(desired: DesiredState(specs: [web, other]), observed: [current, stray],
                                context: PlanContext(owner: "main", allowMassDelete: true))
        #expect(plan.actions.map(\.description) == ["create edge-2 container web #1: missing", "delete edge-3 container web #1: spec removed"])
    }

    /// A fourth platform, registered only here: the planner finds its translator by the
    /// target's platform and knows nothing else of it.
    struct StubTranslator: PlatformTranslator {
        let platform: PlatformID = "stub"
        func plan(_ input: TargetInput) -> TargetDecision {
            var decision = TargetDecision()
            let have = Set(input.owned.compactMap(\.name))
            for spec in input.specs where !have.contains(spec.name) {
                decision.actions.append(Action(op: .create, key: ResourceKey(target: input.target, name: spec.name, unit: .other(kind: "unit", id: "")),
                                               reason: "not running", spec: spec, configHash: spec.configHash))
            }
            for resource in input.owned where !input.specs.contains(where: { $0.name == resource.name }) {
                decision.orphans.append(Action(op: .delete, key: ResourceKey(target: input.target, name: resource.name!, unit: .other(kind: "unit", id: "")),
                                               reason: "spec removed", existingID: resource.id))
            }
            return decision
        }
    }

    @Test func aPlatformRegisteredByATestIsPlannedThroughTheSeam() {
        let state = Self.desired(["job.json": #"{"name": "job", "target": "lab", "image": "busybox:1"}"#,
                                  "web.json": #"{"name": "web", "image": "busybox:1"}"#])
        #expect(state.errors.isEmpty, "\(state.errors)")
        let old = ObservedResource(id: "u1", target: "lab", platform: "stub", kind: "unit", name: "old", replica: nil,
                                   engineName: "old", configHash: "x", state: .running)
        var context = PlanContext(owner: "main", allowMassDelete: true)
        context.translators = PlatformTranslators.standard.adding(StubTranslator())
        let plan = Planner.plan(desired: state, observed: [old], context: context)
        #expect(plan.actions.map(\.description) == [
            "create docker container web #1: missing", "create lab unit job: not running", "delete lab unit old: spec removed",
        ])
        // Without the registration the spec is an error naming the platform, and nothing is deleted.
        let unregistered = Planner.plan(desired: state, observed: [old], context: PlanContext(owner: "main", allowMassDelete: true))
        #expect(unregistered.errors.map(\.message) == ["target lab is served by platform stub, which this berth does not have"])
        #expect(unregistered.actions.map(\.description) == ["create docker container web #1: missing"])
    }

    /// The payload split keeps every config hash: specs written for berth v1 are not replaced.
    @Test func payloadsKeepTheConfigHash() {
        let spec = Spec(name: "api", target: "swarm", image: "busybox:1", mode: .global, update: UpdatePolicy(parallelism: 1),
                        swarm: .object(["Labels": .object(["a": .string("b")])]))
        #expect(spec.canonicalConfig().serialized() == #"{"env":{},"image":"busybox:1","labels":{},"mode":"global","ports":[],"swarm":{"Labels":{"a":"b"}},"target":"swarm","update":{"Parallelism":1},"volumes":[]}"#)
        var copy = spec
        copy.docker = nil
        #expect(copy == spec, "an empty payload is no payload")
    }
}
