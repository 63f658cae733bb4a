import BerthJSON
@testable import BerthModel
import Testing

/// The owner's networks in plans: made, joined in place, deleted when unused (under the
/// guard), and never a reason to replace a container.
struct NetworkPlannerTests {
    static let context = PlanContext(owner: "main")
    static let ownerNet = network("default", id: "n-default")
    static let backendNet = network("backend", id: "n-backend")

    static func spec(_ name: String, networks: [String] = [], replicas: Int = 1) -> Spec {
        var spec = Spec(name: name, image: "busybox:1", replicas: replicas,
                        origin: SpecOrigin(file: "specs/\(name).json", path: .root, position: JSONPosition(line: 1, column: 1)))
        spec.networks = networks
        return spec
    }

    static func network(_ name: String, id: String, target: TargetName = .docker) -> ObservedResource {
        ObservedResource(id: id, target: target, kind: NetworkNames.kind, name: name, replica: nil,
                         engineName: NetworkNames.engineName(owner: "main", target: target, network: name), configHash: nil, state: .running)
    }

    static func container(_ spec: Spec, _ replica: Int = 1, on networks: [String]?) -> ObservedResource {
        var found = ObservedResource(id: "\(spec.name)\(replica)", name: spec.name, replica: replica,
                                     engineName: "main-\(spec.name)-\(replica)", configHash: spec.configHash, state: .running)
        found.networks = networks
        return found
    }

    static func plan(_ specs: [Spec], _ observed: [ObservedResource], invalid: [String] = [], suspended: Set<String> = []) -> String {
        var desired = DesiredState(specs: specs, invalidFiles: invalid)
        desired.suspended = suspended
        return Planner.plan(desired: desired, observed: observed, context: context).description
    }

    @Test func aNamedNetworkIsAResourceOfThePlan() {
        let text = Self.plan([Self.spec("web", networks: ["backend"]), Self.spec("db", networks: ["backend"])],
                             [Self.container(Self.spec("web", networks: ["backend"]), on: ["n-default"]),
                              Self.container(Self.spec("db", networks: ["backend"]), on: ["n-default"]), Self.ownerNet])
        #expect(text == """
            ~ update docker container db #1: not on network main-backend
            ~ update docker container web #1: not on network main-backend
            + create docker network backend: used by db, web
            Plan: 1 to create, 2 to update.
            """)
    }

    @Test func aContainerMadeBeforeNetworksIsJoinedInPlaceNotReplaced() {
        let web = Self.spec("web")
        let text = Self.plan([web], [Self.container(web, on: ["bridge-id"])])
        #expect(text == """
            ~ update docker container web #1: not on network main-default
            Plan: 1 to update.
            """)
        // The same spec hashes as before networks existed: v1 containers keep their hash.
        var withNetworks = web
        withNetworks.networks = ["backend"]
        #expect(withNetworks.configHash == web.configHash)
    }

    @Test func everythingJoinedMatches() {
        let web = Self.spec("web", networks: ["backend"])
        #expect(Self.plan([web], [Self.container(web, on: ["n-default", "n-backend"]), Self.ownerNet, Self.backendNet])
                == "No changes: everything matches the specs.")
    }

    @Test func aNativeNetworkModeJoinsNothing() {
        var web = Self.spec("web", networks: ["backend"])
        web.docker = .object(["HostConfig": .object(["NetworkMode": .string("host")])])
        #expect(NetworkNames.wanted(web).isEmpty)
        #expect(Self.plan([web], [Self.container(web, on: ["host-id"])]) == "No changes: everything matches the specs.")
    }

    @Test func anUnusedNetworkIsDeletedOnceItsContainersGo() {
        let web = Self.spec("web")
        let api = Self.spec("api", networks: ["backend"])
        // api's spec is removed: its container goes in this plan, and the network with it.
        let text = Self.plan([web, Self.spec("db")], [Self.container(web, on: ["n-default"]), Self.container(Self.spec("db"), on: ["n-default"]),
                                                      Self.container(api, on: ["n-default", "n-backend"]), Self.ownerNet, Self.backendNet])
        #expect(text == """
            - delete docker container api #1: spec removed
            - delete docker network backend: no spec uses it
            Plan: 2 to delete.
            """)
    }

    @Test func aNetworkNoSpecListsAnyMoreIsDeletedAndItsContainersStay() {
        // web drops "backend": its container is taken off by the delete, not replaced.
        let web = Self.spec("web")
        let text = Self.plan([web], [Self.container(web, on: ["n-default", "n-backend"]), Self.ownerNet, Self.backendNet])
        #expect(text == """
            - delete docker network backend: no spec uses it
            Plan: 1 to delete.
            """)
    }

    @Test func aReleasedContainerLeavesTheNetworksWithItsRelease() {
        // `"prune": false` and the spec removed: released (it moves to the default bridge),
        // and the owner's network, used by nothing else, goes in the same plan.
        var api = Self.spec("api")
        api.prune = false
        var found = Self.container(api, on: ["n-default"])
        found.prune = false
        let text = Self.plan([], [found, Self.ownerNet])
        #expect(text == """
            ! release docker container api #1 (prune: false)
            - delete docker network default: no spec uses it
            Plan: 1 to release, 1 to delete.
            """)
    }

    @Test func aNetworkASuspendedSpecUsesStays() {
        var api = Self.spec("api", networks: ["backend"])
        api.suspend = true
        let text = Self.plan([Self.spec("web"), api], [Self.container(Self.spec("web"), on: ["n-default"]),
                                                      Self.container(api, on: ["n-default", "n-backend"]), Self.ownerNet, Self.backendNet])
        #expect(text == """
            note: suspended: api (1 resource left alone)
            No changes: everything matches the specs.
            """)
    }

    @Test func theDeletionGuardHoldsTheNetworkWithTheContainers() {
        // Every spec removed: the guard holds the containers, so the networks they are on stay too.
        let web = Self.spec("web", networks: ["backend"])
        let text = Self.plan([], [Self.container(web, on: ["n-default", "n-backend"]), Self.ownerNet, Self.backendNet])
        #expect(text.contains("! held delete docker container web #1: spec removed, deletion held until released (berth release web)"))
        #expect(text.contains("note: network main-backend kept: no spec uses it, but main-web-1 is on it"))
        #expect(text.contains("note: network main-default kept: no spec uses it, but main-web-1 is on it"))
        #expect(text.hasSuffix("No changes to make now. Held: 1 deletion of removed spec web (see the note)."), "\(text)")
        #expect(!text.contains("- delete"))
    }

    @Test func invalidFilesHoldNetworkDeletions() {
        let text = Self.plan([], [Self.backendNet], invalid: ["specs/broken.json"])
        #expect(text.contains("note: network main-backend kept while invalid files exist (one may still use it)"))
        #expect(!text.contains("delete docker network"))
    }

    @Test func aSpareDuplicateNetworkIsDeleted() {
        let web = Self.spec("web")
        let spare = Self.network("default", id: "n-spare")
        let text = Self.plan([web], [Self.container(web, on: ["n-default"]), Self.ownerNet, spare])
        #expect(text == """
            - delete docker network default: duplicate of network main-default (the engine made two of one name)
            Plan: 1 to delete.
            """)
    }

    @Test func aNamedTargetsNetworksCarryItsName() {
        #expect(NetworkNames.engineName(owner: "main", target: .docker, network: "default") == "main-default")
        #expect(NetworkNames.engineName(owner: "main", target: "edge-1", network: "default") == "main-edge-1-default")
        #expect(NetworkNames.engineName(owner: "main", target: .swarm, network: "default") == "main-swarm-default")
    }
}

/// `"networks"` in spec files: each mistake is one line with its place.
struct NetworkFieldTests {
    static func errors(_ text: String) -> [String] {
        SpecDecoder.decode(file: "specs/a.json", bytes: Array(text.utf8)).errors.map(\.description)
    }

    @Test func aValidListIsRead() {
        let result = SpecDecoder.decode(file: "specs/a.json", bytes: Array(#"{"name": "web", "image": "busybox:1", "networks": ["backend", "front-1"]}"#.utf8))
        #expect(result.errors.isEmpty)
        #expect(result.specs.first?.networks == ["backend", "front-1"])
    }

    @Test func mistakesNameTheirPlace() {
        #expect(Self.errors("{\"name\": \"web\", \"image\": \"busybox:1\",\n \"networks\": \"backend\"}")
                == [#"specs/a.json:2:14: $.networks: expected an array of network names, got string"#])
        #expect(Self.errors("{\"name\": \"web\", \"image\": \"busybox:1\",\n \"networks\": [\"ok\", \"Back_End\"]}")
                == [#"specs/a.json:2:21: $.networks[1]: "Back_End" is not a valid network name (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 53 characters)"#])
        #expect(Self.errors(#"{"name": "web", "image": "busybox:1", "networks": ["a", "a"]}"#)
                == [#"specs/a.json:1:57: $.networks[1]: network "a" is listed twice"#])
        #expect(Self.errors(#"{"name": "web", "image": "busybox:1", "networks": [7]}"#)
                == [#"specs/a.json:1:52: $.networks[0]: expected a string, got number"#])
    }
}
