import BerthJSON
@testable import BerthModel
import Testing

/// Planner cases as a table: each row is a situation and the exact plan text it must give.
struct PlannerTests {
    static let web = Spec(name: "web", image: "busybox:1", command: ["httpd", "-f"], env: ["MODE": "a"], replicas: 2,
                          origin: SpecOrigin(file: "specs/web.json", path: .root, position: JSONPosition(line: 1, column: 1)))
    static let context = PlanContext(owner: "main")

    static func container(_ spec: Spec, _ replica: Int, hash: String? = nil, state: RunState = .running,
                          id: String? = nil, engineName: String? = nil) -> ObservedResource {
        ObservedResource(id: id ?? "\(spec.name)\(replica)", name: spec.name, replica: replica,
                         engineName: engineName ?? "main-\(spec.name)-\(replica)", configHash: hash ?? spec.configHash, state: state)
    }

    static func plan(_ specs: [Spec], _ observed: [ObservedResource], invalid: [String] = [],
                     context: PlanContext = context) -> Plan {
        Planner.plan(desired: DesiredState(specs: specs, invalidFiles: invalid), observed: observed, context: context)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var specs: [Spec]
        var observed: [ObservedResource]
        var invalid: [String] = []
        var expected: String
        var testDescription: String { label }
    }

    static var scaled: Spec { var s = web; s.replicas = 1; return s }
    static var changed: Spec { var s = web; s.env["MODE"] = "b"; return s }
    static let other = Spec(name: "api", image: "busybox:1", replicas: 1)

    static let cases: [Case] = [
        Case(label: "nothing exists", specs: [web], observed: [], expected: """
            + create docker container web #1: missing
                image: "busybox:1"
                command: ["httpd", "-f"]
                env.MODE: "a"
                replicas: 2
            + create docker container web #2: missing
            Plan: 2 to create.
            """),
        Case(label: "everything matches", specs: [web], observed: [container(web, 1), container(web, 2)],
             expected: "No changes: everything matches the specs."),
        Case(label: "one replica missing", specs: [web], observed: [container(web, 2)], expected: """
            + create docker container web #1: missing
                image: "busybox:1"
                command: ["httpd", "-f"]
                env.MODE: "a"
                replicas: 2
            Plan: 1 to create.
            """),
        Case(label: "stopped replica is started", specs: [web],
             observed: [container(web, 1, state: .stopped("exited")), container(web, 2)], expected: """
            > start docker container web #1: container is exited
            Plan: 1 to start.
            """),
        Case(label: "dead replica is replaced", specs: [web], observed: [container(web, 1, state: .dead), container(web, 2)], expected: """
            ~ replace docker container web #1: container is dead [start-first]
            Plan: 1 to replace.
            """),
        Case(label: "changed hash replaces every replica", specs: [changed], observed: [container(web, 1), container(web, 2)], expected: """
            ~ replace docker container web #1: configuration changed (config hash \(web.configHash.prefix(12)) -> \(changed.configHash.prefix(12)); earlier configuration not recorded) [start-first]
            ~ replace docker container web #2: configuration changed (config hash \(web.configHash.prefix(12)) -> \(changed.configHash.prefix(12)); earlier configuration not recorded) [start-first]
            Plan: 2 to replace.
            """),
        Case(label: "scaled down removes the highest replicas", specs: [scaled],
             observed: [container(web, 1), container(web, 2), container(web, 3)], expected: """
            - delete docker container web #2: scaled down to 1 replica
            - delete docker container web #3: scaled down to 1 replica
            Plan: 2 to delete.
            """),
        Case(label: "spec removed prunes when few go", specs: [web, ],
             observed: [container(web, 1), container(web, 2), container(other, 1)], expected: """
            - delete docker container api #1: spec removed
            Plan: 1 to delete.
            """),
        Case(label: "invalid file present holds removals and still applies valid specs", specs: [web],
             observed: [container(other, 1)], invalid: ["specs/api.json"], expected: """
            + create docker container web #1: missing
                image: "busybox:1"
                command: ["httpd", "-f"]
                env.MODE: "a"
                replicas: 2
            + create docker container web #2: missing
            ! held delete docker container api #1: spec removed, held back while invalid files exist
            note: 1 removed spec (1 resource) not deleted: an invalid file may still describe them (specs/api.json)
            Plan: 2 to create. Held: 1 deletion of removed spec api (see the note).
            """),
        Case(label: "emptied folder deletes nothing", specs: [], observed: [container(web, 1), container(web, 2)], expected: """
            ! held delete docker container web #1: spec removed, deletion held until released (berth release web)
            ! held delete docker container web #2: spec removed, deletion held until released (berth release web)
            note: deletion of 1 removed spec held (web; 2 resources): the guard holds removals of all managed specs, or of more than half, and nothing held is deleted until a person says so: berth release web (also while watch runs), or apply --allow-delete web, or --allow-mass-delete
            No changes to make now. Held: 2 deletions of removed spec web (see the note).
            """),
        Case(label: "duplicate replica left by a crash: keep the current one", specs: [scaled],
             observed: [container(web, 1, hash: "old", id: "a"), container(web, 1, id: "b", engineName: "main-web-1-next")], expected: """
            ~ replace docker container web #1: named main-web-1-next, expected main-web-1 [start-first]
            - delete docker container web #1: duplicate of replica 1 (main-web-1)
            Plan: 1 to replace, 1 to delete.
            """),
        Case(label: "host port replaces stop-first", specs: [{ var s = scaled; s.ports = [PortMapping(hostPort: 8080, containerPort: 80)]; return s }()],
             observed: [container(web, 1)], expected: """
            ~ replace docker container web #1: configuration changed (config hash \(web.configHash.prefix(12)) -> \({ var s = scaled; s.ports = [PortMapping(hostPort: 8080, containerPort: 80)]; return s }().configHash.prefix(12)); earlier configuration not recorded) [stop-first]
            Plan: 1 to replace.
            """),
        Case(label: "a container being removed counts as gone", specs: [scaled], observed: [container(web, 1, state: .removing)], expected: """
            + create docker container web #1: missing
                image: "busybox:1"
                command: ["httpd", "-f"]
                env.MODE: "a"
                replicas: 1
            Plan: 1 to create.
            """),
        Case(label: "zero replicas removes all of the spec's containers", specs: [{ var s = web; s.replicas = 0; return s }()],
             observed: [container(web, 1)], expected: """
            - delete docker container web #1: scaled down to 0 replicas
            Plan: 1 to delete.
            """),
    ]

    @Test(arguments: cases)
    func planText(_ row: Case) {
        #expect(PlannerTests.plan(row.specs, row.observed, invalid: row.invalid).description == row.expected)
    }

    @Test func massDeleteAllowedWhenAsked() {
        let plan = PlannerTests.plan([], [PlannerTests.container(PlannerTests.web, 1)],
                                     context: PlanContext(owner: "main", allowMassDelete: true))
        #expect(plan.description == """
            - delete docker container web #1: spec removed
            Plan: 1 to delete.
            """)
    }

    @Test func halfMayGoButNotMore() {
        let a = Spec(name: "a", image: "x:1"), b = Spec(name: "b", image: "x:1"), c = Spec(name: "c", image: "x:1")
        let observed = [a, b, c].map { PlannerTests.container($0, 1) }
        #expect(PlannerTests.plan([a, b], observed).count(.delete) == 1)
        #expect(PlannerTests.plan([a], observed).held.count == 2)
    }

    @Test func resourcesWithoutNameLabelAreNeverTouched() {
        let stray = ObservedResource(id: "x", name: nil, replica: nil, engineName: "main-web-1", configHash: nil, state: .stopped("exited"))
        let plan = PlannerTests.plan([PlannerTests.scaled], [stray, PlannerTests.container(PlannerTests.web, 1)])
        #expect(plan.actions.isEmpty)
        #expect(plan.notes == ["left alone: main-web-1 carry the owner label but no valid berth.name/berth.replica"])
    }

    @Test func replacementShowsFieldDiffWithSecretsHidden() {
        var old = PlannerTests.scaled
        old.env["DB_PASSWORD"] = "hunter2"
        var new = old
        new.env["DB_PASSWORD"] = "correct-horse"
        new.env["MODE"] = "b"
        let context = PlanContext(owner: "main", knownConfigs: [old.configHash: old.canonicalConfig(secrets: .fingerprint(key: []))])
        let plan = PlannerTests.plan([new], [PlannerTests.container(old, 1)], context: context)
        #expect(plan.description == """
            ~ replace docker container web #1: configuration changed [start-first]
                env.DB_PASSWORD: (secret value changed)
                env.MODE: "a" -> "b"
            Plan: 1 to replace.
            """)
        #expect(!plan.json.serialized().contains("hunter2"))
        #expect(!plan.json.serialized().contains("correct-horse"))
    }

    @Test func scalingDoesNotChangeTheHash() {
        #expect(PlannerTests.web.configHash == PlannerTests.scaled.configHash)
        #expect(PlannerTests.web.configHash != PlannerTests.changed.configHash)
    }

    /// A target that could not be observed makes the plan partial, and the plan says so.
    @Test func aPartialPlanNamesWhatItLeftOut() {
        var empty = PlannerTests.plan([], [])
        empty.unplannedTargets = ["kubernetes"]
        #expect(empty.description == "No changes to make now. Not planned: the specs of kubernetes, which could not be observed.")
        var some = PlannerTests.plan([PlannerTests.scaled], [])
        some.unplannedTargets = ["swarm", "kubernetes"]
        #expect(some.description.hasSuffix("Plan: 1 to create. Not planned: the specs of kubernetes, swarm, which could not be observed."), "\(some.description)")
        #expect(some.json["unplannedTargets"] == .array([.string("kubernetes"), .string("swarm")]))
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let plan = PlannerTests.plan([PlannerTests.scaled], [])
        #expect(plan.json.canonicalText == #"{"actions":[{"kind":"container","name":"web","op":"create","reason":"missing","replica":1,"target":"docker"}],"errors":[],"held":[],"matches":false,"notes":[],"unplannedTargets":[]}"#)
    }
}
