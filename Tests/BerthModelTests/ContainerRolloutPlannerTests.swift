import BerthJSON
@testable import BerthModel
import Testing

/// `update` on a docker spec: read from the file, out of the config hash, and a content whose
/// rollout failed is blocked (shown, not replaced again) while the old replicas are healed.
struct ContainerRolloutPlannerTests {
    typealias T = PlannerTests

    static func decode(_ json: String) -> SpecDecoder.FileResult {
        SpecDecoder.decode(file: "web.json", bytes: Array(json.utf8))
    }

    @Test func updateOnADockerSpecIsItsRolloutAndNotInTheHash() throws {
        let plain = try #require(Self.decode(#"{"name": "web", "image": "a:1"}"#).specs.first)
        let result = Self.decode(#"{"name": "web", "image": "a:1", "update": {"parallelism": 2, "delay": "1s", "order": "stop-first", "failureAction": "pause", "monitor": "20s"}}"#)
        let spec = try #require(result.specs.first, "\(result.errors)")
        #expect(spec.rollout == UpdatePolicy(parallelism: 2, delayNanoseconds: 1_000_000_000, order: "stop-first", failureAction: "pause",
                                             monitorNanoseconds: 20_000_000_000))
        #expect(spec.update == nil)
        #expect(spec.configHash == plain.configHash)
    }

    @Test(arguments: [
        (#"{"name": "web", "image": "a:1", "update": {"failureAction": "continue"}}"#,
         #"web.json:1:61: $.update.failureAction: unknown failure action "continue"; expected one of "rollback", "pause""#),
        (#"{"name": "web", "image": "a:1", "update": {"monitor": "soon"}}"#,
         #"web.json:1:55: $.update.monitor: "soon" is not a duration like "500ms", "10s" or "1m""#),
    ])
    func mistakesAreOneLineWithTheirPlace(_ json: String, _ expected: String) {
        #expect(Self.decode(json).errors.map(\.description) == [expected])
    }

    @Test func aFailedContentIsBlockedAndItsOldReplicasAreStillHealed() {
        var old = T.web
        old.rollout = UpdatePolicy(parallelism: 1)
        var new = old
        new.env = ["MODE": "b"]
        var context = T.context
        context.facts[.docker] = ContainerRolloutFacts(failed: ["web": .init(configHash: new.configHash, message: "replica 1: unhealthy; rolled back")])
        let observed = [T.container(old, 1), T.container(old, 2, state: .stopped("exited"))]
        let plan = T.plan([new], observed, context: context)
        #expect(plan.description == """
            > start docker container web #2: container is exited (on the previous content: the new one is blocked)
            ! blocked docker container web: the rollout of this spec content failed (replica 1: unhealthy; rolled back); change the spec to try again
            Plan: 1 to start. Blocked: 1 spec until changed (see above).
            """)
        // Another content is rolled out again.
        var newer = new
        newer.env = ["MODE": "c"]
        let again = T.plan([newer], observed, context: context)
        #expect(again.blocked.isEmpty && again.actions.filter { $0.op == .replace }.count == 2)
        #expect(again.actions.allSatisfy { $0.strategy == .startFirst })
        // A missing replica is not made of the content that failed.
        #expect(T.plan([new], [T.container(old, 1)], context: context).actions.isEmpty)
    }
}
