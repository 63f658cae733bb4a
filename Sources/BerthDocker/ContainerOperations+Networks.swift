import BerthJSON
import BerthModel

/// Containers on the owner's networks: the spec name is each container's DNS alias there.
extension ContainerOperations {
    func networkOperations(_ target: TargetName) -> NetworkOperations {
        NetworkOperations(client: client, owner: owner, target: target)
    }

    /// The create body naming the network by ID: where the engine holds two networks of one
    /// name (a duplicate in use), a name is "ambiguous" and no container could be made.
    static func pinning(_ body: JSONValue, network name: String, to id: String) -> JSONValue {
        guard case .object(var fields) = body, body["HostConfig"]?["NetworkMode"]?.stringValue == name,
              case .object(var host) = fields["HostConfig"], let endpoint = body["NetworkingConfig"]?["EndpointsConfig"]?[name] else { return body }
        host["NetworkMode"] = .string(id)
        fields["HostConfig"] = .object(host)
        fields["NetworkingConfig"] = .object(["EndpointsConfig": .object([id: endpoint])])
        return .object(fields)
    }

    /// Joins the container to each of its spec's networks it is not on yet (a container made
    /// before berth had networks, or the later networks of a new one).
    func joinNetworks(id: String, name: String, spec: Spec, key: ResourceKey) async throws {
        let wanted = NetworkNames.wanted(spec)
        guard !wanted.isEmpty else { return }
        let response = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(name)")
        let on = JSONValue(answer: response.body)?["NetworkSettings"]?["Networks"]?.objectValue ?? [:]
        let ids = Set(on.values.compactMap { $0["NetworkID"]?.stringValue })
        try await networkOperations(key.target).join(container: id, name: name, alias: spec.name, networks: wanted, on: ids)
    }
}
