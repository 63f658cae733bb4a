import BerthEngine
import BerthJSON
import BerthModel

/// Docker's DNS answers a name (a network alias) with every container holding it, running or
/// not answering yet. A container leaves it before it is stopped, and a new one joins only
/// once proven: otherwise a client asking by name is sent to one that refuses.
extension ContainerOperations {
    /// One network a container is on, and the names it answers to there.
    struct Endpoint: Sendable, Equatable {
        var network: String
        var aliases: [String]
    }

    /// The user-defined networks a container is on (the default bridge has no DNS), with its
    /// own aliases (not the short ID Docker adds by itself).
    func endpoints(_ id: String, name: String) async throws -> [Endpoint] {
        let response = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(name)", accept: [404])
        guard response.status != 404, let found = JSONValue(answer: response.body) else { return [] }
        let short = String((found["Id"]?.stringValue ?? id).prefix(12))
        let networks = found["NetworkSettings"]?["Networks"]?.objectValue ?? [:]
        return networks.keys.sorted().filter { !["bridge", "host", "none"].contains($0) }.map { network in
            let aliases = (networks[network]?["Aliases"]?.arrayValue ?? []).compactMap(\.stringValue).filter { $0 != short && $0 != name }
            return Endpoint(network: network, aliases: aliases)
        }
    }

    /// The names and IDs of the networks a container is on.
    func attachedNetworks(_ id: String, name: String) async throws -> Set<String> {
        let response = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(name)", accept: [404])
        let networks = response.status == 404 ? [:] : JSONValue(answer: response.body)?["NetworkSettings"]?["Networks"]?.objectValue ?? [:]
        return Set(networks.keys).union(networks.values.compactMap { $0["NetworkID"]?.stringValue })
    }

    /// Leaves every user-defined network: its names stop resolving to it. Returns where it was.
    @discardableResult
    func leaveDNS(_ id: String, name: String) async throws -> [Endpoint] {
        let found = try await endpoints(id, name: name)
        for endpoint in found {
            _ = try await client.request("POST", "/networks/\(Query.escape(endpoint.network))/disconnect",
                                         body: .object(["Container": .string(id), "Force": .bool(true)]),
                                         doing: "taking container \(name) off network \(endpoint.network) before it stops", accept: [404])
        }
        return found
    }

    /// Joins these networks with these names; one it is on already is left and joined again,
    /// since Docker changes an endpoint's aliases only so.
    func joinDNS(_ id: String, name: String, _ endpoints: [Endpoint]) async throws {
        // A body may name a network by ID or by name: the container is on it if either matches.
        let current = try await attachedNetworks(id, name: name)
        for endpoint in endpoints {
            let doing = "giving container \(name) its names on network \(endpoint.network)"
            if current.contains(endpoint.network) {
                _ = try await client.request("POST", "/networks/\(Query.escape(endpoint.network))/disconnect",
                                             body: .object(["Container": .string(id), "Force": .bool(true)]), doing: doing, accept: [404])
            }
            _ = try await client.request("POST", "/networks/\(Query.escape(endpoint.network))/connect",
                                         body: .object(["Container": .string(id),
                                                        "EndpointConfig": .object(["Aliases": .array(endpoint.aliases.map(JSONValue.string))])]),
                                         doing: doing)
        }
    }

    /// The networks and names a create body asks for (`NetworkingConfig.EndpointsConfig`), and
    /// the body without the names, for a container that must not answer yet.
    static func withheldAliases(_ body: JSONValue) -> (JSONValue, [Endpoint]) {
        guard var object = body.objectValue, var networking = object["NetworkingConfig"]?.objectValue,
              var configs = networking["EndpointsConfig"]?.objectValue else { return (body, []) }
        var endpoints: [Endpoint] = []
        for network in configs.keys.sorted() {
            guard var config = configs[network]?.objectValue else { continue }
            let aliases = (config["Aliases"]?.arrayValue ?? []).compactMap(\.stringValue)
            if aliases.isEmpty { continue }
            endpoints.append(Endpoint(network: network, aliases: aliases))
            config["Aliases"] = nil
            configs[network] = .object(config)
        }
        networking["EndpointsConfig"] = .object(configs)
        object["NetworkingConfig"] = .object(networking)
        return (.object(object), endpoints)
    }
}
