import BerthJSON
@testable import BerthModel
import Testing

/// `dependsOn` across files: the order a DAG gives, and every mistake as one error at the
/// entry's file:line:column, its files refused (so their deletions are held).
struct DependencyTests {
    static func assemble(_ files: [(String, String)]) -> DesiredState {
        DesiredState.assemble(files: files.map { ($0.0, Array($0.1.utf8)) })
    }

    static func key(_ name: String, _ target: TargetName = .docker) -> SpecKey { SpecKey(target: target, name: SpecName(name)) }

    @Test func orderPutsEveryDependencyFirstAndBreaksTiesByName() {
        let state = Self.assemble([
            ("specs/web.json", #"{"name": "web", "image": "b:1", "dependsOn": ["api"]}"#),
            ("specs/api.json", #"{"name": "api", "image": "b:1", "dependsOn": ["db", "cache"]}"#),
            ("specs/db.json", #"{"name": "db", "image": "b:1"}"#),
            ("specs/cache.json", #"{"name": "cache", "image": "b:1"}"#),
        ])
        #expect(state.errors.isEmpty)
        let resolution = Dependencies.resolve(state.specs)
        #expect(resolution.edges == [Self.key("web"): [Self.key("api")], Self.key("api"): [Self.key("cache"), Self.key("db")]])
        #expect(Dependencies.order(resolution.edges).map(\.name) == ["cache", "db", "api", "web"])
    }

    /// A diamond and a chain: every edge goes forward in the order.
    @Test func everyEdgeGoesForward() {
        let edges: [SpecKey: [SpecKey]] = [
            Self.key("e"): [Self.key("c"), Self.key("d")], Self.key("c"): [Self.key("a")], Self.key("d"): [Self.key("a"), Self.key("b")],
            Self.key("b"): [Self.key("a")],
        ]
        let order = Dependencies.order(edges)
        #expect(order.map(\.name) == ["a", "b", "c", "d", "e"])
        for (node, deps) in edges { for dep in deps { #expect(order.firstIndex(of: dep)! < order.firstIndex(of: node)!) } }
    }

    @Test func aCycleIsOneErrorAtItsEntryAndItsFilesAreInvalid() {
        let state = Self.assemble([
            ("specs/web.json", "{\n  \"name\": \"web\",\n  \"image\": \"b:1\",\n  \"dependsOn\": [\"api\"]\n}"),
            ("specs/api.json", "{\n  \"name\": \"api\",\n  \"image\": \"b:1\",\n  \"dependsOn\": [\"db\", \"web\"]\n}"),
            ("specs/db.json", #"{"name": "db", "image": "b:1"}"#),
        ])
        #expect(state.errors.map(\.description) == [#"specs/api.json:4:23: $.dependsOn[1]: dependency cycle: api -> web -> api"#])
        #expect(state.invalidFiles.sorted() == ["specs/api.json", "specs/web.json"])
        #expect(state.specs.map(\.name) == ["db"])
    }

    @Test func aLongerCycleIsNamedInFull() {
        let state = Self.assemble([
            ("specs/a.json", #"[{"name": "a", "image": "b:1", "dependsOn": ["b"]}, {"name": "b", "image": "b:1", "dependsOn": ["c"]}, {"name": "c", "image": "b:1", "dependsOn": ["a"]}]"#),
        ])
        #expect(state.errors.map(\.message) == ["dependency cycle: a -> b -> c -> a"])
    }

    @Test(arguments: [
        // A typo, with the closest name.
        (#"{"name": "web", "image": "b:1", "dependsOn": ["dbb"]}"#, #"specs/web.json:1:47: $.dependsOn[0]: unknown spec "dbb" in dependsOn; did you mean "db"?"#),
        // A target that has no such spec.
        (#"{"name": "web", "image": "b:1", "dependsOn": ["swarm/db"]}"#, #"specs/web.json:1:47: $.dependsOn[0]: unknown spec "swarm/db" in dependsOn; did you mean "db"?"#),
        // An unknown target.
        (#"{"name": "web", "image": "b:1", "dependsOn": ["swarn/db"]}"#, #"specs/web.json:1:47: $.dependsOn[0]: unknown target "swarn" (did you mean "swarm"?) in "swarn/db"; a dependency names one target, not a group"#),
        (#"{"name": "web", "image": "b:1", "dependsOn": ["web"]}"#, #"specs/web.json:1:47: $.dependsOn[0]: a spec cannot depend on itself"#),
        (#"{"name": "web", "image": "b:1", "dependsOn": ["docker/web"]}"#, #"specs/web.json:1:47: $.dependsOn[0]: a spec cannot depend on itself"#),
        (#"{"name": "web", "image": "b:1", "dependsOn": ["db", "db"]}"#, #"specs/web.json:1:53: $.dependsOn[1]: "db" is listed twice"#),
        (#"{"name": "web", "image": "b:1", "dependsOn": "db"}"#, #"specs/web.json:1:46: $.dependsOn: expected an array of spec names like ["db"] or ["TARGET/db"], got string"#),
        (#"{"name": "web", "image": "b:1", "dependsOn": ["Db_1"]}"#, #"specs/web.json:1:47: $.dependsOn[0]: "Db_1" is not a spec name like "db" or "TARGET/db""#),
    ])
    func aWrongEntryIsAnErrorAtItsPlace(_ web: String, _ expected: String) {
        let state = Self.assemble([("specs/web.json", web), ("specs/db.json", #"{"name": "db", "image": "b:1"}"#)])
        #expect(state.errors.map(\.description) == [expected])
        #expect(state.invalidFiles == ["specs/web.json"])
        #expect(state.specs.map(\.name) == ["db"])
    }

    @Test func aNameResolvesOnItsOwnTargetFirstThenWhereItIsAlone() {
        let state = Self.assemble([
            ("specs/web.json", #"[{"name": "web", "image": "b:1", "dependsOn": ["db", "queue", "kubernetes/db"]}]"#),
            ("specs/db.json", #"[{"name": "db", "image": "b:1"}, {"name": "db", "target": "kubernetes", "image": "b:1"}, {"name": "queue", "target": "swarm", "image": "b:1"}]"#),
        ])
        #expect(state.errors.isEmpty)
        #expect(Dependencies.resolve(state.specs).edges[Self.key("web")] == [Self.key("db"), Self.key("db", .kubernetes), Self.key("queue", .swarm)])
    }

    @Test func aNameOnSeveralOtherTargetsMustSayWhich() {
        let state = Self.assemble([
            ("specs/web.json", #"{"name": "web", "image": "b:1", "dependsOn": ["db"]}"#),
            ("specs/db.json", #"[{"name": "db", "target": "swarm", "image": "b:1"}, {"name": "db", "target": "kubernetes", "image": "b:1"}]"#),
        ])
        #expect(state.errors.map(\.message) == [#""db" is a spec on kubernetes, swarm; write which, like "kubernetes/db""#])
    }

    /// A dependent of a spec refused for a cycle is refused too, saying why; one of a file
    /// that does not parse says the name may be there.
    @Test func dependentsOfRefusedSpecsAreRefusedWithTheReason() {
        let state = Self.assemble([
            ("specs/a.json", #"[{"name": "a", "image": "b:1", "dependsOn": ["b"]}, {"name": "b", "image": "b:1", "dependsOn": ["a"]}]"#),
            ("specs/c.json", #"{"name": "c", "image": "b:1", "dependsOn": ["a"]}"#),
            ("specs/d.json", #"{"name": "d", "image": "b:1", "dependsOn": ["e"]}"#),
            ("specs/e.json", #"{"name": "e", "image": "b:1""#),
        ])
        #expect(state.errors.map(\.message).sorted() == [
            #"depends on "a", whose file specs/a.json is invalid"#,
            "dependency cycle: a -> b -> a",
            "invalid JSON: unexpected end of input",
            #"unknown spec "e" in dependsOn (or it is in an invalid file: specs/e.json)"#,
        ].sorted())
        #expect(state.invalidFiles.sorted() == ["specs/a.json", "specs/c.json", "specs/d.json", "specs/e.json"])
    }

    /// A cycle refuses its files: what berth made from them stays, its deletion held.
    @Test func aCycleHoldsDeletions() {
        let state = Self.assemble([
            ("specs/a.json", #"[{"name": "a", "image": "b:1", "dependsOn": ["b"]}, {"name": "b", "image": "b:1", "dependsOn": ["a"]}]"#),
        ])
        let running = ObservedResource(id: "a1", name: "a", replica: 1, engineName: "main-a-1", configHash: "old", state: .running)
        let plan = Planner.plan(desired: state, observed: [running], context: PlanContext(owner: "main"))
        #expect(plan.actions.isEmpty)
        #expect(plan.held.map(\.op) == [.delete])
    }

    @Test func dependsOnIsNotInTheConfigHash() {
        var spec = Spec(name: "web", image: "b:1")
        let before = spec.configHash
        spec.dependsOn = [DependencyReference(name: "db")]
        #expect(spec.configHash == before)
    }
}
