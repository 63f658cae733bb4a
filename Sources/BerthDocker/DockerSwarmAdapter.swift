import BerthEngine
import BerthJSON
import BerthModel

/// Swarm services on a Docker Engine that is a swarm manager: the `swarm` target. berth hands
/// scheduling to Swarm: one service per spec, updated in place.
public struct DockerSwarmAdapter: Platform {
    public let target = "swarm"
    public let client: DockerClient
    public let images: ImagePreparer

    public init(client: DockerClient, images: ImagePreparer? = nil) {
        self.client = client
        self.images = images ?? ImagePreparer(client: client)
    }

    /// One label-filtered list of services, and one list of tasks for the running counts.
    public func observe(owner: String) async throws -> [ObservedResource] {
        let filters = JSONValue.object(["label": .array([Labels.ownerFilter(owner)])]).serialized()
        let services = try await swarmCall { try await client.request(
            "GET", "/services?filters=\(Query.escape(filters))", doing: "listing services of owner \(owner)") }
        let running = try await runningTasks()
        return (JSONValue(answer: services.body)?.arrayValue ?? []).compactMap {
            DockerSwarmAdapter.observed($0, owner: owner, running: running)
        }
    }

    static func observed(_ item: JSONValue, owner: String, running: [String: Int]) -> ObservedResource? {
        guard let id = item["ID"]?.stringValue, let spec = item["Spec"] else { return nil }
        let labels = spec["Labels"]?.objectValue ?? [:]
        guard labels[Labels.owner]?.stringValue == owner else { return nil }
        return ObservedResource(
            id: id, target: "swarm", kind: "service",
            name: labels[Labels.name]?.stringValue.flatMap { Names.isValid($0) ? $0 : nil }, replica: nil,
            engineName: spec["Name"]?.stringValue ?? id, configHash: labels[Labels.configHash]?.stringValue,
            state: .running, native: spec, running: running[id] ?? 0)
    }

    func runningTasks() async throws -> [String: Int] {
        let filters = JSONValue.object(["desired-state": .array([.string("running")])]).serialized()
        let response = try await swarmCall { try await client.request(
            "GET", "/tasks?filters=\(Query.escape(filters))", doing: "listing swarm tasks") }
        var counts: [String: Int] = [:]
        for task in JSONValue(answer: response.body)?.arrayValue ?? [] {
            guard task["Status"]?["State"]?.stringValue == "running", let service = task["ServiceID"]?.stringValue else { continue }
            counts[service, default: 0] += 1
        }
        return counts
    }

    public func perform(_ action: Action, owner: String) async throws {
        let name = ServiceBody.name(owner: owner, spec: action.key.name)
        if let spec = action.spec, action.op != .delete { try await images.ensure(spec) }
        switch action.op {
        case .create:
            let body = ServiceBody.make(spec: action.spec!, owner: owner, configHash: action.configHash!)
            _ = try await swarmCall { try await client.request("POST", "/services/create", body: body, doing: "creating service \(name)") }
        case .update:
            try await update(id: action.existingID!, name: name, body: ServiceBody.make(spec: action.spec!, owner: owner, configHash: action.configHash!))
        case .delete:
            _ = try await client.request("DELETE", "/services/\(action.existingID!)", doing: "removing service \(action.existingName ?? name)", accept: [404])
        case .replace, .start:
            throw BerthError(.unsupported, "services are updated in place, never \(action.op.rawValue)ed")
        }
    }

    /// Sends the whole spec with the service's current version. Someone else changing the
    /// service in between makes the engine refuse the version: read it again and retry.
    func update(id: String, name: String, body: JSONValue) async throws {
        for attempt in 1...5 {
            let current = try await client.request("GET", "/services/\(id)", doing: "reading service \(name)")
            guard let version = JSONValue(answer: current.body)?["Version"]?["Index"]?.intValue else {
                throw BerthError(.engineError, "reading service \(name)", cause: "the engine's answer has no Version.Index")
            }
            do {
                _ = try await client.request("POST", "/services/\(id)/update?version=\(version)", body: body, doing: "updating service \(name)")
                return
            } catch let error as BerthError where (error.cause ?? "").contains("out of sequence") && attempt < 5 {
                continue
            }
        }
    }

    /// A plain engine answers the swarm endpoints with 503 "not a swarm manager": that is a
    /// fact about the target, not a passing fault, so it is not retried.
    func swarmCall<T>(_ call: () async throws -> T) async throws -> T {
        do { return try await call() } catch let error as BerthError where error.status == 503 && (error.cause ?? "").contains("not a swarm manager") {
            throw BerthError(.unsupported, "target swarm: the engine at \(client.endpoint) is not a swarm manager (run `docker swarm init`, or point --docker-host at a manager)", cause: error.cause)
        }
    }
}

extension DockerSwarmAdapter: EventSource {
    /// Service events carry only the service's name, not its labels: ours are OWNER-NAME.
    public func events(owner: String) async throws -> AsyncThrowingStream<ResourceEvent, Error> {
        let filters = JSONValue.object(["type": .array([.string("service")])])
        return try await client.events(filters: filters, doing: "following the engine's service events") { json in
            guard let full = json["Actor"]?["Attributes"]?["name"]?.stringValue, full.hasPrefix(owner + "-") else { return nil }
            let name = String(full.dropFirst(owner.count + 1))
            return Names.isValid(name) ? ResourceEvent(target: "swarm", name: name, action: json["Action"]?.stringValue ?? "update") : nil
        }
    }
}
