@testable import BerthEngine
import BerthModel
import Testing

/// One target that cannot be observed must not stop the others, nor cause creates or deletes.
struct ObservationTests {
    struct Fixed: Platform {
        let target: TargetName
        var platform: PlatformID { PlatformID.implicit(target) ?? .docker }
        let result: Result<[ObservedResource], BerthError>
        func observe(owner: String) async throws -> [ObservedResource] { try result.get() }
    }

    static let notManager = BerthError(.unsupported, "target swarm: the engine at unix:///x is not a swarm manager")

    @Test func aTargetThatIsNotAvailableLeavesOnlyItsOwnSpecsOut() async {
        let container = ObservedResource(id: "c", name: "old", replica: 1, engineName: "o-old-1", configHash: "h", state: .running)
        let desired = DesiredState(specs: [Spec(name: "web", image: "x:1"), Spec(name: "api", target: "swarm", image: "x:1")])
        let observation = await Observation.run(
            platforms: [Fixed(target: "docker", result: .success([container])), Fixed(target: "swarm", result: .failure(Self.notManager))],
            owner: "o", desired: desired)
        #expect(observation.desired.specs.map(\.name) == ["web"])
        #expect(observation.failures.map(\.target) == ["swarm"])
        let plan = Planner.plan(desired: observation.desired, observed: observation.observed, context: PlanContext(owner: "o", allowMassDelete: true))
        // "old" is no spec's at all: its container goes, whatever swarm's state.
        #expect(plan.actions.map(\.description) == ["delete docker container old #1: spec removed", "create docker container web #1: missing"])
        #expect(plan.held.isEmpty)
    }

    /// A spec that moved to a target that cannot be seen now keeps what it left behind
    /// elsewhere until that target answers: it may be the only copy running.
    @Test func aSpecMovingToAnUnseenTargetKeepsItsOldResources() async {
        let container = ObservedResource(id: "c", name: "api", replica: 1, engineName: "o-api-1", configHash: "h", state: .running)
        let desired = DesiredState(specs: [Spec(name: "web", image: "x:1"), Spec(name: "api", target: "swarm", image: "x:1")])
        let observation = await Observation.run(
            platforms: [Fixed(target: "docker", result: .success([container])), Fixed(target: "swarm", result: .failure(Self.notManager))],
            owner: "o", desired: desired)
        let plan = Planner.plan(desired: observation.desired, observed: observation.observed, context: PlanContext(owner: "o", allowMassDelete: true))
        #expect(plan.actions.map(\.description) == ["create docker container web #1: missing"])
        #expect(plan.held.map(\.description) == ["delete docker container api #1: spec removed here, held while target(s) swarm cannot be observed"])
        #expect(plan.notes.contains { $0.contains("not pruned elsewhere while swarm cannot be observed: api") })
    }

    @Test func aPlainEngineIsNoErrorWithoutSwarmSpecs() async {
        let observation = await Observation.run(
            platforms: [Fixed(target: "docker", result: .success([])), Fixed(target: "swarm", result: .failure(Self.notManager))],
            owner: "o", desired: DesiredState(specs: [Spec(name: "web", image: "x:1")]))
        #expect(observation.failures.isEmpty)
        #expect(observation.desired.invalidFiles.isEmpty)
    }
}

extension ObservationTests {
    static let noEngine = BerthError(.engineUnreachable, "cannot reach the Docker Engine at unix:///x")

    /// A folder of Kubernetes specs on a machine without Docker converges, and prunes.
    @Test func anUnreachableEngineNobodyNeedsIsNoError() async {
        let object = ObservedResource(id: "k", target: "kubernetes", kind: "Deployment", name: "old", replica: nil,
                                      engineName: "default/old", configHash: "h", state: .running)
        let observation = await Observation.run(
            platforms: [Fixed(target: "docker", result: .failure(Self.noEngine)), Fixed(target: "kubernetes", result: .success([object]))],
            owner: "o", desired: DesiredState(specs: [Spec(name: "web", target: "kubernetes", image: "x:1")]))
        #expect(observation.failures.isEmpty)
        #expect(observation.desired.invalidFiles.isEmpty)
        #expect(observation.desired.specs.map(\.name) == ["web"])
    }

    @Test func anUnreachableEngineWithSpecsIsAFailure() async {
        let observation = await Observation.run(
            platforms: [Fixed(target: "docker", result: .failure(Self.noEngine))],
            owner: "o", desired: DesiredState(specs: [Spec(name: "web", image: "x:1")]))
        #expect(observation.failures.map(\.target) == ["docker"])
    }
}
