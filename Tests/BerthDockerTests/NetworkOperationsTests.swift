@testable import BerthDocker
import BerthJSON
import BerthModel
import Testing

/// What berth makes of networks the engine lists, and the create body it pins to an ID.
struct NetworkOperationsTests {
    static func listed(_ labels: [String: String], name: String = "main-default") -> JSONValue {
        .object(["Id": .string("n1"), "Name": .string(name), "Labels": .object(labels.mapValues { .string($0) })])
    }

    @Test func onlyTheOwnersNetworksOfThisTargetAreObserved() {
        let ours = NetworkNames.labels(owner: "main", target: .docker, network: "default")
        let found = NetworkOperations.observed(Self.listed(ours), owner: "main", target: .docker)
        #expect(found?.kind == "network" && found?.name == "default" && found?.engineName == "main-default")
        // The swarm target's overlay on the same engine, another owner's, one without berth.kind.
        #expect(NetworkOperations.observed(Self.listed(ours), owner: "main", target: .swarm) == nil)
        #expect(NetworkOperations.observed(Self.listed(ours), owner: "other", target: .docker) == nil)
        var unkind = ours
        unkind[NetworkNames.kindLabel] = nil
        #expect(NetworkOperations.observed(Self.listed(unkind), owner: "main", target: .docker) == nil)
    }

    @Test func theCreateBodyNamesTheNetworkByID() {
        let body: JSONValue = .object([
            "HostConfig": .object(["Init": .bool(true), "NetworkMode": .string("main-default")]),
            "NetworkingConfig": .object(["EndpointsConfig": .object(["main-default": .object(["Aliases": .array([.string("web")])])])]),
        ])
        let pinned = ContainerOperations.pinning(body, network: "main-default", to: "abc123")
        #expect(pinned["HostConfig"]?["NetworkMode"] == .string("abc123"))
        #expect(pinned["HostConfig"]?["Init"] == .bool(true))
        #expect(pinned["NetworkingConfig"]?["EndpointsConfig"]?["abc123"]?["Aliases"] == .array([.string("web")]))
        // A native NetworkMode is the spec's: left as it is.
        let native: JSONValue = .object(["HostConfig": .object(["NetworkMode": .string("host")])])
        #expect(ContainerOperations.pinning(native, network: "main-default", to: "abc123") == native)
    }
}
