import BerthJSON
@testable import BerthModel
import Testing

/// Named volumes as plan resources: the exact plan text for each situation, and the mount
/// object form's errors with their places.
struct VolumePlannerTests {
    static func spec(_ name: String, _ mounts: [VolumeMount]) -> Spec {
        Spec(name: SpecName(name), image: "busybox:1", volumes: mounts,
             origin: SpecOrigin(file: "specs/\(name).json", path: .root, position: JSONPosition(line: 1, column: 1)))
    }

    static func mount(_ source: String, prune: Bool = false) -> VolumeMount {
        var m = VolumeMount(source: source, destination: "/data")
        m.prune = prune
        return m
    }

    static func volume(_ name: String, prune: Bool = false, unowned: Bool = false) -> ObservedResource {
        var v = ObservedResource(id: name, kind: ObservedResource.volumeKind, name: SpecName(name), replica: nil, engineName: name,
                                 configHash: nil, state: .running)
        v.prune = prune
        v.unowned = unowned
        return v
    }

    static func container(_ spec: Spec, mounting: [String], id: String? = nil) -> ObservedResource {
        var c = ObservedResource(id: id ?? "\(spec.name)1", name: spec.name, replica: 1, engineName: "main-\(spec.name)-1",
                                 configHash: spec.configHash, state: .running)
        c.mountedVolumes = mounting
        return c
    }

    static func plan(_ specs: [Spec], _ observed: [ObservedResource], invalid: [String] = [], selection: Set<String>? = nil) -> String {
        var context = PlanContext(owner: "main")
        context.selection = selection.map { Set($0.map { SpecName($0) }) }
        return Planner.plan(desired: DesiredState(specs: specs, invalidFiles: invalid), observed: observed, context: context).description
    }

    @Test func aVolumeASpecMountsIsCreatedAsAResource() {
        let db = Self.spec("db", [Self.mount("data", prune: true), VolumeMount(source: "/srv/conf", destination: "/conf")])
        #expect(Self.plan([db], []) == """
            + create docker container db #1: missing
                image: "busybox:1"
                volumes: ["data:/data", "/srv/conf:/conf"]
                replicas: 1
            + create docker volume data: used by db (prune: true)
            Plan: 2 to create.
            """)
        let action = Planner.plan(desired: DesiredState(specs: [db]), observed: [], context: PlanContext(owner: "main"))
            .actions.first { $0.key.kind == "volume" }
        #expect(action?.native?["Labels"] == .object(["berth.owner": .string("main"), "berth.kind": .string("volume"), "berth.prune": .string("true")]))
    }

    @Test func anExistingVolumeIsNotCreatedAgain() {
        let db = Self.spec("db", [Self.mount("data")])
        #expect(Self.plan([db], [Self.container(db, mounting: ["data"]), Self.volume("data")]) == "No changes: everything matches the specs.")
        // One of that name berth did not make is used as it is.
        #expect(Self.plan([db], [Self.container(db, mounting: ["data"]), Self.volume("data", unowned: true)]) == "No changes: everything matches the specs.")
    }

    @Test func aVolumeIsNeverDeletedBecauseItsSpecWentAway() {
        let db = Self.spec("db", [Self.mount("data")])
        #expect(Self.plan([], [Self.volume("data")]) == "No changes: there are no specs, and nothing berth manages was found.")
        let other = Self.spec("web", [])
        #expect(Self.plan([other], [Self.container(db, mounting: ["data"]), Self.volume("data"), Self.container(other, mounting: [])]) == """
            - delete docker container db #1: spec removed
            Plan: 1 to delete.
            """)
    }

    @Test func aPrunedVolumeGoesOnceNothingUsesIt() {
        let db = Self.spec("db", [Self.mount("data", prune: true)])
        let web = Self.spec("web", [])
        // Its container goes in the same plan: the volume's deletion waits for it.
        let plan = Planner.plan(desired: DesiredState(specs: [web]),
                                observed: [Self.container(db, mounting: ["data"]), Self.volume("data", prune: true), Self.container(web, mounting: [])],
                                context: PlanContext(owner: "main"))
        #expect(plan.description == """
            - delete docker container db #1: spec removed
            - delete docker volume data: unused, made with prune: true
            Plan: 2 to delete.
            """)
        #expect(VolumePlanner.waitsFor(plan.actions[1]) == ["db1"])
        // Unused already.
        #expect(Self.plan([web], [Self.volume("data", prune: true), Self.container(web, mounting: [])]) == """
            - delete docker volume data: unused, made with prune: true
            Plan: 1 to delete.
            """)
        // Still mounted by a spec (a suspended one too): kept.
        var suspended = db
        suspended.suspend = true
        #expect(Self.plan([web, suspended], [Self.volume("data", prune: true), Self.container(web, mounting: []), Self.container(db, mounting: ["data"])])
            .hasSuffix("No changes: everything matches the specs."))
        // Unlabelled, or made without prune: never deleted.
        #expect(Self.plan([web], [Self.volume("data"), Self.container(web, mounting: [])]) == "No changes: everything matches the specs.")
        #expect(Self.plan([web], [Self.volume("data", prune: true, unowned: true), Self.container(web, mounting: [])]) == "No changes: everything matches the specs.")
    }

    @Test func aPrunedVolumeWaitsWhileFilesAreInvalidOrItsContainerIsHeld() {
        let web = Self.spec("web", [])
        let held = Self.plan([web], [Self.volume("data", prune: true), Self.container(web, mounting: [])], invalid: ["specs/db.json"])
        #expect(held.hasPrefix("! held delete docker volume data: unused, held back while invalid files exist"), "\(held)")
        // The guard holds the removal of every spec: the container stays, and so does its volume.
        let db = Self.spec("db", [Self.mount("data", prune: true)])
        let guarded = Self.plan([], [Self.container(db, mounting: ["data"]), Self.volume("data", prune: true)])
        #expect(!guarded.contains("delete docker volume"), "\(guarded)")
    }

    @Test func pruneAskedOfAVolumeMadeWithoutItIsANote() {
        let db = Self.spec("db", [Self.mount("data", prune: true)])
        #expect(Self.plan([db], [Self.container(db, mounting: ["data"]), Self.volume("data")]) == """
            note: volume data on docker was made without "prune": true: berth never deletes it
            No changes: everything matches the specs.
            """)
    }

    @Test func aSelectionCreatesOnlyItsOwnVolumesAndDeletesNone() {
        let db = Self.spec("db", [Self.mount("data")])
        let web = Self.spec("web", [Self.mount("cache")])
        let text = Self.plan([db, web], [Self.volume("old", prune: true)], selection: ["web"])
        #expect(!text.contains("volume data") && text.contains("+ create docker volume cache: used by web") && !text.contains("volume old"), "\(text)")
    }

    @Test func downDeletesTheOwnersVolumesOrTheNamedSpecs() {
        let db = Self.spec("db", [Self.mount("data")])
        let observed = [Self.volume("data"), Self.volume("cache", prune: true), Self.volume("theirs", unowned: true)]
        #expect(VolumePlanner.deleteAll(observed: observed, specs: [db], names: nil).map(\.description)
            == ["delete docker volume cache: berth down --volumes", "delete docker volume data: berth down --volumes"])
        #expect(VolumePlanner.deleteAll(observed: observed, specs: [db], names: ["db"]).map(\.key.name) == ["data"])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var volumes: String
        var expected: [String]
        var testDescription: String { volumes }
    }

    static let head = #"{"name": "db", "image": "busybox:1", "volumes": "#

    static let bad: [Bad] = [
        Bad(volumes: #"[{"source": "/srv/db", "target": "/data", "prune": true}]"#,
            expected: [#"specs/a.json:1:100: $.volumes[0].prune: "prune" is for named volumes: berth never deletes a host folder ("/srv/db")"#]),
        Bad(volumes: #"[{"source": "data", "target": "/data", "prune": "yes"}]"#,
            expected: [#"specs/a.json:1:97: $.volumes[0].prune: expected true or false, got string"#]),
        Bad(volumes: #"[{"source": "data", "target": "/data", "prnue": true}]"#,
            expected: [#"specs/a.json:1:88: $.volumes[0].prnue: unknown key "prnue" in a mount; did you mean "prune"?"#]),
        Bad(volumes: #"[{"source": "data"}]"#,
            expected: [#"specs/a.json:1:50: $.volumes[0]: a mount object needs "target" (the absolute path inside the container)"#]),
        Bad(volumes: #"[{"source": "data", "target": "data"}]"#,
            expected: [#"specs/a.json:1:50: $.volumes[0]: "data:data" is not "source:destination[:ro|rw]" with an absolute host path or a volume name as source and an absolute destination"#]),
        Bad(volumes: #"[{"source": "data", "target": "/d:ro"}]"#,
            expected: [#"specs/a.json:1:79: $.volumes[0].target: "/d:ro" holds a ':'; a mount's source and target cannot"#]),
        Bad(volumes: "[\n  \"data:/data\",\n  {\"source\": \"data\", \"target\": \"/x\", \"readOnly\": 1}]",
            expected: [#"specs/a.json:3:50: $.volumes[1].readOnly: expected true or false, got number"#]),
    ]

    @Test(arguments: bad) func badMountsAreErrorsAtTheirPlace(_ row: Bad) {
        let errors = SpecDecoder.decode(file: "specs/a.json", bytes: Array((Self.head + row.volumes + "}").utf8)).errors.map(\.description)
        #expect(errors == row.expected)
    }

    @Test func theObjectFormReadsAsTheStringForm() throws {
        let text = Self.head + "[\"/srv/a:/a:ro\",\n {\"source\": \"data\", \"target\": \"/data\", \"readOnly\": true, \"prune\": true}]}"
        let result = SpecDecoder.decode(file: "specs/a.json", bytes: Array(text.utf8))
        let spec = try #require(result.specs.first, "\(result.errors)")
        #expect(spec.volumes.map(\.description) == ["/srv/a:/a:ro", "data:/data:ro"])
        #expect(spec.volumes.map(\.prune) == [false, true])
        #expect(spec.volumes[1].position == JSONPosition(line: 2, column: 2) && spec.volumes[1].path?.description == "$.volumes[1]")
        // prune is not part of the container: the hash is the string form's.
        var plain = spec
        plain.volumes[1].prune = false
        #expect(spec.configHash == plain.configHash)
    }
}
