import BerthJSON
@testable import BerthModel
import Testing

/// The order in the plan: `after` on each waiting line and in its JSON, and a note.
struct DependencyPlanTests {
    static func plan(_ files: [(String, String)], observed: [ObservedResource] = []) -> Plan {
        let state = DesiredState.assemble(files: files.map { ($0.0, Array($0.1.utf8)) })
        return Planner.plan(desired: state, observed: observed, context: PlanContext(owner: "main"))
    }

    /// Plan lines without the attributes listed under a spec's first create.
    static func lines(_ plan: Plan) -> String {
        plan.description.split(separator: "\n").filter { !$0.hasPrefix("    ") }.joined(separator: "\n")
    }

    static let files = [
        ("specs/web.json", #"{"name": "web", "image": "b:1", "replicas": 2, "dependsOn": ["api"]}"#),
        ("specs/api.json", #"{"name": "api", "image": "b:1", "dependsOn": ["db", "swarm/queue"]}"#),
        ("specs/db.json", #"{"name": "db", "image": "b:1", "health": {"cmd": ["/bin/check"]}}"#),
        ("specs/queue.json", #"{"name": "queue", "target": "swarm", "image": "b:1"}"#),
    ]

    @Test func thePlanShowsTheOrder() {
        #expect(Self.lines(Self.plan(Self.files)) == """
            + create docker container api #1: missing after db, swarm/queue
            + create docker container db #1: missing
            + create docker container web #1: missing after api
            + create docker container web #2: missing after api
            + create swarm service queue: missing
            note: dependency order: docker/db, swarm/queue, docker/api, docker/web
            Plan: 5 to create.
            """)
    }

    @Test func theJSONActionCarriesAfter() throws {
        let actions = try #require(Self.plan(Self.files).json["actions"]?.arrayValue)
        let api = try #require(actions.first { $0["name"]?.stringValue == "api" })
        #expect(api["after"] == .array([.string("docker/db"), .string("swarm/queue")]))
        let db = try #require(actions.first { $0["name"]?.stringValue == "db" })
        #expect(db["after"] == nil)
    }

    /// Only what this plan does is ordered: a dependency left as it is (running as its spec
    /// says) is not waited for, so not named; the note names the specs that act.
    @Test func onlyDependenciesThatActAreNamed() {
        let observed = [
            ObservedResource(id: "d1", name: "db", replica: 1, engineName: "main-db-1", configHash: Self.hash("db"), state: .running),
            ObservedResource(id: "w1", name: "web", replica: 1, engineName: "main-web-1", configHash: "old", state: .running),
        ]
        let plan = Self.plan([
            ("specs/web.json", #"{"name": "web", "image": "b:2", "dependsOn": ["db", "cache"]}"#),
            ("specs/db.json", #"{"name": "db", "image": "b:1"}"#),
            ("specs/cache.json", #"{"name": "cache", "image": "b:1"}"#),
        ], observed: observed)
        #expect(Self.lines(plan) == """
            + create docker container cache #1: missing
            ~ replace docker container web #1: configuration changed (config hash old -> \(String(Self.hash("web", image: "b:2").prefix(12))); earlier configuration not recorded) [start-first] after cache
            note: dependency order: cache, web
            Plan: 1 to create, 1 to replace.
            """)
    }

    /// `plan web`: its dependency's actions are not in the plan, so it waits for nothing.
    @Test func aSelectionLeavesOutWhatItDoesNotPlan() {
        var context = PlanContext(owner: "main")
        context.selection = ["web"]
        let state = DesiredState.assemble(files: Self.files.map { ($0.0, Array($0.1.utf8)) })
        let plan = Planner.plan(desired: state, observed: [], context: context)
        #expect(plan.actions.map(\.key.name) == ["web", "web"])
        #expect(plan.actions.allSatisfy { $0.after.isEmpty })
        #expect(plan.notes.isEmpty)
    }

    /// No dependsOn anywhere: the plan is as it was, no note.
    @Test func withoutDependenciesNothingChanges() {
        let plan = Self.plan([("specs/db.json", #"{"name": "db", "image": "b:1"}"#)])
        #expect(plan.notes.isEmpty)
        #expect(plan.actions.allSatisfy { $0.after.isEmpty })
    }

    static func hash(_ name: String, image: String = "b:1") -> String {
        DesiredState.assemble(files: [("specs/\(name).json", Array(#"{"name": "\#(name)", "image": "\#(image)"}"#.utf8))]).specs[0].configHash
    }
}
