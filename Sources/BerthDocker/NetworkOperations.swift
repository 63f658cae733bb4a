import BerthEngine
import BerthJSON
import BerthModel

/// The owner's networks on one engine: made when first needed (by the plan's create, or by
/// the first container that joins), joined with the spec name as DNS alias, deleted when
/// unused. Every step tolerates having been done already.
struct NetworkOperations: Sendable {
    let client: DockerClient
    let owner: String
    let target: TargetName
    /// `overlay` (attachable) for Swarm services, `bridge` for containers.
    let driver: String

    init(client: DockerClient, owner: String, target: TargetName, driver: String = "bridge") {
        self.client = client; self.owner = owner; self.target = target; self.driver = driver
    }

    func engineName(_ network: String) -> String {
        NetworkNames.engineName(owner: owner, target: target, network: network)
    }

    /// The ID of network `network` (its name in specs), made if missing. Calls for one
    /// network are served one at a time in this process, so a create is never sent twice.
    func ensure(_ network: String) async throws -> String {
        let name = engineName(network)
        return try await NetworkGate.shared.serially("\(client.endpoint)|\(name)") {
            if let id = try await existing(name) { return id }
            return try await create(network, name: name)
        }
    }

    /// The ID of berth's network `name`, nil if there is none. A network of that name berth
    /// did not make is an error: it is never taken over. Two of one name (Docker 20.10's
    /// duplicate check is not atomic) are mended: the spare empty one is removed.
    func existing(_ name: String) async throws -> String? {
        var found = try await lookup(name)
        guard !found.isEmpty else { return nil }
        guard found.allSatisfy(isOurs) else {
            throw BerthError(.conflict, "joining network \(name)",
                             cause: "a network of that name exists that berth did not make (no \(Labels.owner)=\(owner), \(NetworkNames.kindLabel)=network labels); berth never takes it over: rename or remove it")
        }
        if found.count > 1 {
            found.sort { ($0["Created"]?.stringValue ?? "", $0["Id"]?.stringValue ?? "") < ($1["Created"]?.stringValue ?? "", $1["Id"]?.stringValue ?? "") }
            let ids = found.compactMap { $0["Id"]?.stringValue }
            var empty: [String] = [], used: [String] = []
            for id in ids { if try await isEmpty(id) { empty.append(id) } else { used.append(id) } }
            // The one containers use, else the oldest; a spare only while nothing is on it.
            let keep = used.first ?? ids[0]
            for id in empty where id != keep {
                _ = try await client.request("DELETE", "/networks/\(id)", doing: "removing duplicate network \(name) (\(id.prefix(12)))", accept: [403, 404, 409])
                ActionNotes.add("removed duplicate empty network \(name) (\(id.prefix(12))): the engine had made two of one name")
            }
            return keep
        }
        return found[0]["Id"]?.stringValue
    }

    /// Networks named exactly `name` (the engine's name filter matches parts of names too).
    func lookup(_ name: String) async throws -> [JSONValue] {
        let filters = JSONValue.object(["name": .array([.string(name)])]).serialized()
        let response = try await client.request("GET", "/networks?filters=\(Query.escape(filters))", doing: "looking up network \(name)")
        return (JSONValue(answer: response.body)?.arrayValue ?? []).filter { $0["Name"]?.stringValue == name }
    }

    private func isOurs(_ network: JSONValue) -> Bool {
        let labels = (network["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        return NetworkNames.isOurs(labels, owner: owner, target: target)
    }

    private func isEmpty(_ id: String) async throws -> Bool {
        let response = try await client.request("GET", "/networks/\(id)", doing: "inspecting network \(id.prefix(12))", accept: [404])
        guard response.status != 404 else { return true }
        return (JSONValue(answer: response.body)?["Containers"]?.objectValue ?? [:]).isEmpty
    }
}
