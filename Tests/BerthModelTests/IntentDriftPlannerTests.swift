import BerthJSON
@testable import BerthModel
import Testing

/// Drift beyond the config hash (resources, restart policy, the image a tag names) and
/// `"state": "stopped"`, as golden plan text.
struct IntentDriftPlannerTests {
    static let limited = Spec(name: "web", image: "busybox:1", replicas: 1, restart: .always,
                              docker: .object(["HostConfig": .object(["Memory": .number("33554432"), "PidsLimit": .number("64")])]))
    static let plain = Spec(name: "web", image: "busybox:1", replicas: 1)
    static var stopped: Spec { var s = plain; s.state = .stopped; return s }

    static func container(_ spec: Spec, state: RunState = .running, host: JSONValue? = nil,
                          image: String? = nil, wanted: String? = nil) -> ObservedResource {
        var found = PlannerTests.container(spec, 1, state: state)
        found.settings = ContainerSettings(hostConfig: host ?? .object([
            "Memory": .number("33554432"), "PidsLimit": .number("64"),
            "RestartPolicy": .object(["Name": .string("always"), "MaximumRetryCount": .number("0")]),
        ]))
        found.imageID = image
        found.wantedImageID = wanted
        return found
    }

    static func plan(_ spec: Spec, _ found: ObservedResource) -> String {
        Planner.plan(desired: DesiredState(specs: [spec]), observed: [found], context: PlanContext(owner: "main")).description
    }

    @Test func settingsAsTheSpecSaysAreNoChange() {
        #expect(Self.plan(Self.limited, Self.container(Self.limited)) == "No changes: everything matches the specs.")
        // "No limit" is 0, -1 or missing to the engine: all the same.
        let unlimited: JSONValue = .object(["Memory": .number("0"), "PidsLimit": .number("-1"), "RestartPolicy": .object(["Name": .string("")])])
        #expect(Self.plan(Self.plain, Self.container(Self.plain, host: unlimited)) == "No changes: everything matches the specs.")
    }

    @Test func resourcesChangedByHandAreAnUpdateInPlace() throws {
        let host: JSONValue = .object([
            "Memory": .number("67108864"), "PidsLimit": .number("50"), "NanoCpus": .number("0"),
            "RestartPolicy": .object(["Name": .string("no"), "MaximumRetryCount": .number("0")]),
        ])
        let found = Self.container(Self.limited, host: host)
        #expect(Self.plan(Self.limited, found) == """
            ~ update docker container web #1: memory changed on the engine: 67108864, spec 33554432; pids limit changed on the engine: 50, spec 64; restart policy changed on the engine: no, spec always
            Plan: 1 to update.
            """)
        let action = try #require(Planner.plan(desired: DesiredState(specs: [Self.limited]), observed: [found], context: PlanContext(owner: "main")).actions.first)
        #expect(action.existingID == "web1")
        #expect(action.native?.canonicalText == JSONValue.object([
            "Memory": .number("33554432"), "MemorySwap": .number("67108864"), "PidsLimit": .number("64"),
            "RestartPolicy": .object(["Name": .string("always"), "MaximumRetryCount": .number("0")]),
        ]).canonicalText)
    }

    @Test func aLimitTheSpecDoesNotSetIsLiftedByReplacing() {
        let host: JSONValue = .object(["Memory": .number("67108864")])
        #expect(Self.plan(Self.plain, Self.container(Self.plain, host: host)) == """
            ~ replace docker container web #1: memory changed on the engine: 67108864, spec 0 (the engine cannot lift a limit in place) [start-first]
            Plan: 1 to replace.
            """)
    }

    @Test func aTagNamingAnotherImageIsAReplace() {
        let found = Self.container(Self.limited, image: "sha256:1111111111111111aaaa", wanted: "sha256:2222222222222222bbbb")
        #expect(Self.plan(Self.limited, found) == """
            ~ replace docker container web #1: image changed [start-first]
                image ID of busybox:1: sha256:111111111111 -> sha256:222222222222
            Plan: 1 to replace.
            """)
        // The image gone from the engine (nil) is no reason to replace what runs.
        let gone = Self.container(Self.limited, image: "sha256:1111111111111111aaaa", wanted: nil)
        #expect(Self.plan(Self.limited, gone) == "No changes: everything matches the specs.")
    }

    @Test func stoppedByTheSpec() {
        #expect(Planner.plan(desired: DesiredState(specs: [Self.stopped]), observed: [], context: PlanContext(owner: "main")).description == """
            + create docker container web #1: missing (kept stopped by spec)
                image: "busybox:1"
                replicas: 1
            Plan: 1 to create.
            """)
        let none: JSONValue = .object([:])
        #expect(Self.plan(Self.stopped, Self.container(Self.stopped, host: none)) == """
            ~ stop docker container web #1: running, spec says "state": "stopped"
            Plan: 1 to stop.
            """)
        // Exited is what the spec wants: never started again.
        #expect(Self.plan(Self.stopped, Self.container(Self.stopped, state: .stopped("exited"), host: none))
            == "No changes: everything matches the specs.")
    }

    @Test func stoppedIsOnlyForDocker() {
        let text = #"{"name": "web", "target": "swarm", "image": "busybox:1", "state": "stopped"}"#
        let result = SpecDecoder.decode(file: "web.json", bytes: Array(text.utf8))
        #expect(result.errors.map(\.description) == [
            #"web.json:1:67: $.state: "state": "stopped" is only for target "docker"; a Swarm service is stopped with "replicas": 0"#,
        ])
        let docker = SpecDecoder.decode(file: "web.json", bytes: Array(#"{"name": "web", "image": "busybox:1", "state": "stopped"}"#.utf8))
        #expect(docker.specs.first?.state == .stopped)
        #expect(docker.specs.first?.configHash == Self.plain.configHash)
    }
}

/// Suspend and `"prune": false` as golden plan text.
struct SuspendAndPrunePlannerTests {
    static let web = PlannerTests.web
    static let context = PlanContext(owner: "main")

    @Test func aSuspendedSpecIsLeftAlone() {
        var suspended = Self.web
        suspended.suspend = true
        // A dead replica and a changed configuration: nothing is done while suspended.
        let found = [PlannerTests.container(Self.web, 1, state: .dead), PlannerTests.container(Self.web, 2, hash: "old")]
        let plan = Planner.plan(desired: DesiredState(specs: [suspended, PlannerTests.other]), observed: found, context: Self.context)
        #expect(plan.description == """
            + create docker container api #1: missing
                image: "busybox:1"
                replicas: 1
            note: suspended: web (2 resources left alone)
            Plan: 1 to create.
            """)
    }

    @Test func aSpecSuspendedByNameIsNotDeletedWhenItsFileIsRemoved() {
        var desired = DesiredState(specs: [PlannerTests.other])
        desired.suspended = ["web"]
        let found = [PlannerTests.container(Self.web, 1), PlannerTests.container(PlannerTests.other, 1)]
        #expect(Planner.plan(desired: desired, observed: found, context: Self.context).description == """
            note: suspended: web (1 resource left alone)
            No changes: everything matches the specs.
            """)
    }

    @Test func pruneFalseReleasesInsteadOfDeleting() {
        var keep = PlannerTests.container(Self.web, 1)
        keep.prune = false
        let plan = Planner.plan(desired: DesiredState(specs: [PlannerTests.other]),
                                observed: [keep, PlannerTests.container(PlannerTests.other, 1)], context: Self.context)
        #expect(plan.description == """
            ! release docker container web #1 (prune: false)
            Plan: 1 to release.
            """)
        #expect(plan.held.isEmpty, "a release is no deletion for the guard to hold")
    }

    @Test func pruneIsInTheHashOnlyWhenFalse() {
        let text = #"{"name": "web", "image": "busybox:1", "prune": true}"#
        let same = SpecDecoder.decode(file: "web.json", bytes: Array(text.utf8)).specs.first
        #expect(same?.configHash == Spec(name: "web", image: "busybox:1").configHash)
        let off = SpecDecoder.decode(file: "web.json", bytes: Array(#"{"name": "web", "image": "busybox:1", "prune": false}"#.utf8)).specs.first
        #expect(off?.prune == false && off?.configHash != same?.configHash)
    }

    @Test func pruneFalseOnKubernetesIsAMergePatchDroppingBerthsKeys() throws {
        let object: JSONValue = .object([
            "apiVersion": .string("apps/v1"), "kind": .string("Deployment"),
            "metadata": .object(["name": .string("web"), "namespace": .string("default"),
                                 "labels": .object(["berth.owner": .string("main"), "berth.name": .string("web"),
                                                    "berth.prune": .string("false"), "app": .string("web")]),
                                 "annotations": .object(["berth.config-hash": .string("abc"), "note": .string("x")])]),
        ])
        let found = ObservedResource.kubernetes(object: object, apiVersion: "apps/v1", kind: "Deployment")
        #expect(found.prune == false)
        let plan = Planner.plan(desired: DesiredState(specs: []), observed: [found], context: Self.context)
        #expect(plan.description == """
            ! release kubernetes apps/v1 Deployment default/web (spec web) (prune: false)
            Plan: 1 to release.
            """)
        let patch = try #require(plan.actions.first?.native)
        #expect(patch.canonicalText == JSONValue.object(["metadata": .object([
            "labels": .object(["berth.owner": .null, "berth.name": .null, "berth.prune": .null]),
            "annotations": .object(["berth.config-hash": .null]),
        ])]).canonicalText)
    }

    @Test func releasedNames() {
        #expect(Labels.isReleased(engineName: "main-web-1-released"))
        #expect(Labels.isReleased(engineName: "main-web-1-released-0123456789ab"))
        #expect(!Labels.isReleased(engineName: "main-released-web-1"))
        #expect(!Labels.isReleased(engineName: "main-web-1"))
    }
}
