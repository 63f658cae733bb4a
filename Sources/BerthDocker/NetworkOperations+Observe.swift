import BerthEngine
import BerthJSON
import BerthModel

/// The owner's networks as the planner sees them: resources of kind `network`.
extension NetworkOperations {
    /// One list request, filtered by the owner label; the target is checked on each.
    func observe() async throws -> [ObservedResource] {
        let filters = JSONValue.object(["label": .array([.string("\(Labels.owner)=\(owner)")])]).serialized()
        let response = try await client.request("GET", "/networks?filters=\(Query.escape(filters))", doing: "listing networks of owner \(owner)")
        guard let list = JSONValue(answer: response.body)?.arrayValue else {
            throw BerthError(.engineError, "listing networks of owner \(owner)", cause: "the engine's answer is not a JSON array")
        }
        return list.compactMap { NetworkOperations.observed($0, owner: owner, target: target) }
    }

    static func observed(_ item: JSONValue, owner: String, target: TargetName) -> ObservedResource? {
        guard let id = item["Id"]?.stringValue, let engineName = item["Name"]?.stringValue else { return nil }
        let labels = (item["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        guard NetworkNames.isOurs(labels, owner: owner, target: target) else { return nil }
        return ObservedResource(id: id, target: target, platform: PlatformID.implicit(target), kind: NetworkNames.kind,
                                name: labels[Labels.name].map { SpecName($0) }, replica: nil, engineName: engineName, configHash: nil, state: .running)
    }

    /// A network action of the plan: made (as the first container joining would), or deleted.
    func perform(_ action: Action) async throws {
        switch action.op {
        case .create:
            _ = try await ensure(action.key.name.rawValue)
        case .delete:
            try await delete(id: action.existingID!, name: action.existingName ?? engineName(action.key.name.rawValue))
        default:
            throw BerthError(.unsupported, "networks are only created and deleted, not \(action.op.rawValue)d")
        }
    }
}

extension ObservedResource {
    /// The IDs of the networks a container list entry says it is on.
    /// The networks a container is on, by ID; by name for one never started (the engine
    /// gives its endpoints an ID only when the container first starts).
    static func networkIDs(_ item: JSONValue) -> [String]? {
        item["NetworkSettings"]?["Networks"]?.objectValue.map { networks in
            networks.map { name, endpoint in
                let id = endpoint["NetworkID"]?.stringValue ?? ""
                return id.isEmpty ? name : id
            }.sorted()
        }
    }
}
