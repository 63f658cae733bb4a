import BerthSystem
import BerthDocker
import BerthJSON
import BerthModel
import FoundationEssentials

/// What `ps` and `logs` read from the engine: this owner's containers and Swarm services,
/// found by berth's labels, as the adapters find them.
struct EngineListing {
    struct Container: Sendable {
        var id: String
        var name: String
        var replica: Int
        var engineName: String
        var state: String
        var image: String
    }

    struct Service: Sendable {
        var id: String
        var name: String
        var engineName: String
        /// nil: global mode.
        var replicas: Int?
        var image: String
    }

    let client: DockerClient
    let owner: String

    static func filters(_ labels: [String]) -> String {
        queryEscaped(JSONValue.object(["label": .array(labels.map(JSONValue.string))]).serialized())
    }

    /// The owner's containers (of one spec, when `name` is given), by spec name and replica.
    func containers(name: String? = nil) async throws -> [Container] {
        var labels = ["\(Labels.owner)=\(owner)"]
        if let name { labels.append("\(Labels.name)=\(name)") }
        let response = try await client.request("GET", "/containers/json?all=1&filters=\(Self.filters(labels))",
                                                 doing: "listing containers of owner \(owner)")
        var out: [Container] = []
        for item in JSONValue(answer: response.body)?.arrayValue ?? [] {
            let itemLabels = item["Labels"]?.objectValue ?? [:]
            guard itemLabels[Labels.owner]?.stringValue == owner, let id = item["Id"]?.stringValue,
                  let spec = itemLabels[Labels.name]?.stringValue, Names.isValid(spec) else { continue }
            let engineName = item["Names"]?.arrayValue?.first?.stringValue.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? id
            if Labels.isReleased(engineName: engineName) { continue }
            out.append(Container(id: id, name: spec, replica: itemLabels[Labels.replica]?.stringValue.flatMap { Int($0) } ?? 0,
                                 engineName: engineName, state: item["State"]?.stringValue ?? "unknown",
                                 image: itemLabels[Labels.image]?.stringValue ?? item["Image"]?.stringValue ?? ""))
        }
        return out.sorted { ($0.name, $0.replica, $0.engineName) < ($1.name, $1.replica, $1.engineName) }
    }

    /// The owner's Swarm services; none when the engine is not a Swarm manager.
    func services(name: String? = nil) async throws -> [Service] {
        var labels = ["\(Labels.owner)=\(owner)"]
        if let name { labels.append("\(Labels.name)=\(name)") }
        let response = try await client.request("GET", "/services?filters=\(Self.filters(labels))",
                                                 doing: "listing Swarm services of owner \(owner)", accept: [503])
        guard response.status != 503 else { return [] }
        var out: [Service] = []
        for item in JSONValue(answer: response.body)?.arrayValue ?? [] {
            let spec = item["Spec"]
            let itemLabels = spec?["Labels"]?.objectValue ?? [:]
            guard itemLabels[Labels.owner]?.stringValue == owner, let id = item["ID"]?.stringValue,
                  let specName = itemLabels[Labels.name]?.stringValue, Names.isValid(specName) else { continue }
            let replicas = spec?["Mode"]?["Replicated"]?["Replicas"]?.intValue
            out.append(Service(id: id, name: specName, engineName: spec?["Name"]?.stringValue ?? id, replicas: replicas,
                               image: itemLabels[Labels.image]?.stringValue ?? spec?["TaskTemplate"]?["ContainerSpec"]?["Image"]?.stringValue ?? ""))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// A service's tasks that should be running (or all of them, old ones too): their slot
    /// (replica number) and state.
    func tasks(serviceID: String, onlyWanted: Bool = true) async throws -> [(id: String, slot: Int, state: String)] {
        var filters: [String: JSONValue] = ["service": .array([.string(serviceID)])]
        if onlyWanted { filters["desired-state"] = .array([.string("running")]) }
        let query = queryEscaped(JSONValue.object(filters).serialized())
        let response = try await client.request("GET", "/tasks?filters=\(query)", doing: "listing the tasks of service \(serviceID.prefix(12))")
        return (JSONValue(answer: response.body)?.arrayValue ?? []).compactMap { task in
            guard let id = task["ID"]?.stringValue else { return nil }
            return (id, task["Slot"]?.intValue ?? 0, task["Status"]?["State"]?.stringValue ?? "unknown")
        }
    }

    /// A container's health (State.Health.Status) when it has a health check, and whether it
    /// runs with a TTY (its logs are then raw, not multiplexed).
    func inspect(_ id: String) async throws -> (health: String?, tty: Bool) {
        let response = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(id.prefix(12))", accept: [404])
        let json = JSONValue(answer: response.body)
        return (json?["State"]?["Health"]?["Status"]?.stringValue, json?["Config"]?["Tty"]?.boolValue ?? false)
    }
}

/// Percent-encodes a query value, as the adapters do.
func queryEscaped(_ value: String) -> String {
    value.percentEncodedUnreserved()
}
