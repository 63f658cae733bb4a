import BerthJSON
import BerthModel

/// Swarm services on the owner's attachable overlay (`OWNER-swarm-default`), with the spec
/// name as alias.
extension NetworkOperations {
    static func overlay(client: DockerClient, owner: String, target: TargetName) -> NetworkOperations {
        NetworkOperations(client: client, owner: owner, target: target, driver: "overlay")
    }

    /// `body` with TaskTemplate.Networks naming the spec's networks by ID (made if missing):
    /// the engine reads back IDs, so names would be drift on every pass. A spec whose `swarm`
    /// fragment sets networks keeps its own.
    func attaching(_ body: JSONValue, spec: Spec) async throws -> JSONValue {
        let wanted = NetworkNames.wanted(spec)
        guard !wanted.isEmpty else { return body }
        var attachments: [JSONValue] = []
        for network in wanted {
            let id = try await ensure(network)
            attachments.append(.object(["Target": .string(id), "Aliases": .array([.string(spec.name)])]))
        }
        return body.merging(.object(["TaskTemplate": .object(["Networks": .array(attachments)])]))
    }

    /// The IDs of the networks a service's spec attaches its tasks to.
    static func serviceNetworkIDs(_ spec: JSONValue) -> [String] {
        let list = spec["TaskTemplate"]?["Networks"]?.arrayValue ?? spec["Networks"]?.arrayValue ?? []
        return list.compactMap { $0["Target"]?.stringValue }.sorted()
    }
}
