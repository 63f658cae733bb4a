import BerthEngine
import BerthJSON
import BerthModel

/// Swarm services on a Docker Engine that is a swarm manager: the `swarm` target. berth hands
/// scheduling to Swarm: one service per spec, updated in place, its image pinned by ID or
/// digest so that a rebuilt or re-imported image rolls out.
public struct DockerSwarmAdapter: Platform {
    public let target: TargetName
    public let platform = PlatformID.swarm
    public let client: DockerClient
    public let images: ImagePreparer
    public let records: SwarmSentRecords

    public init(client: DockerClient, images: ImagePreparer? = nil, records: SwarmSentRecords = SwarmSentRecords(path: nil),
                target: TargetName = .swarm) {
        self.client = client
        self.target = target
        self.images = images ?? ImagePreparer(client: client)
        self.records = records
    }

    /// One label-filtered list of services, and one list of tasks for the running counts.
    public func observe(owner: String) async throws -> [ObservedResource] {
        let filters = JSONValue.object(["label": .array([Labels.ownerFilter(owner)])]).serialized()
        let services = try await swarmCall { try await client.request(
            "GET", "/services?filters=\(Query.escape(filters))", doing: "listing services of owner \(owner)") }
        let running = try await runningTasks()
        let sent = records.load()
        let found = (JSONValue(answer: services.body)?.arrayValue ?? []).compactMap {
            DockerSwarmAdapter.observed($0, owner: owner, running: running, sent: sent, target: target)
        }
        return try await found + NetworkOperations.overlay(client: client, owner: owner, target: target).observe()
    }

    /// The same, and for each service the identity its spec's image has on the engine now,
    /// so that the planner sees a rebuilt or re-imported image behind an unchanged reference.
    public func observe(owner: String, desired: DesiredState) async throws -> [ObservedResource] {
        var found = try await observe(owner: owner)
        let wanted = Dictionary(desired.specs.filter { $0.target == target }.map { ($0.name, $0.image) }, uniquingKeysWith: { a, _ in a })
        var identities: [String: String?] = [:]
        for index in found.indices {
            guard let name = found[index].name, let ref = wanted[name] else { continue }
            if identities[ref] == nil { identities[ref] = .some(try await images.identity(ref)) }
            found[index].swarm?.wantedImage = identities[ref] ?? nil
        }
        return found
    }

    static func observed(_ item: JSONValue, owner: String, running: [String: Int],
                         sent: [String: SwarmSentRecords.Record] = [:], target: TargetName = .swarm) -> ObservedResource? {
        guard let id = item["ID"]?.stringValue, let spec = item["Spec"] else { return nil }
        let labels = spec["Labels"]?.objectValue ?? [:]
        guard labels[Labels.owner]?.stringValue == owner, Labels.belongs(labels[Labels.target]?.stringValue, to: target) else { return nil }
        let engineName = spec["Name"]?.stringValue ?? id
        let status = item["UpdateStatus"]
        let rollout = SwarmRollout(state: status?["State"]?.stringValue, message: status?["Message"]?.stringValue,
                                   sentHash: sent[engineName]?.hash, unkept: sent[engineName]?.unkept ?? [])
        var found = ObservedResource(
            id: id, target: target, platform: .swarm, kind: "service",
            name: labels[Labels.name]?.stringValue.flatMap { Names.isValid($0) ? $0 : nil }, replica: nil,
            engineName: engineName, configHash: labels[Labels.configHash]?.stringValue,
            state: .running, native: spec, running: running[id] ?? 0, swarm: rollout)
        found.prune = labels[Labels.prune]?.stringValue != "false"
        found.networks = NetworkOperations.serviceNetworkIDs(spec)
        return found
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

    /// Every image is ready before anything is removed or changed: a failed build or pull
    /// leaves the running service as it is.
    public func perform(_ action: Action, owner: String) async throws {
        let networks = NetworkOperations.overlay(client: client, owner: owner, target: target)
        if action.key.kind == NetworkNames.kind { return try await networks.perform(action) }
        let name = ServiceBody.name(owner: owner, spec: action.key.name, target: action.key.target)
        var body: JSONValue?
        if let spec = action.spec, action.op != .delete {
            try await images.ensure(spec)
            body = ServiceBody.make(spec: spec, owner: owner, configHash: action.configHash!, image: try await images.identity(spec.image))
            body = try await networks.attaching(body!, spec: spec)
        }
        switch action.op {
        case .create:
            try await create(name: name, body: body!, hash: action.configHash!)
        case .update:
            try await update(id: action.existingID!, name: name, body: body!)
            try await verify(id: action.existingID!, name: name, body: body!, hash: action.configHash!)
        case .replace:
            try await remove(id: action.existingID!, name: action.existingName ?? name)
            try await create(name: name, body: body!, hash: action.configHash!)
        case .delete:
            try await delete(id: action.existingID!, name: action.existingName ?? name)
        case .release:
            try await release(id: action.existingID!, name: action.existingName ?? name, networks: networks)
        case .start, .stop, .adopt:
            throw BerthError(.unsupported, "services are started by Swarm and never adopted: berth does not \(action.op.rawValue) them")
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
        // On a named target the names are OWNER-TARGET-NAME (`ServiceBody.name`).
        let prefix = owner + "-" + (target.isImplicit ? "" : target.rawValue + "-")
        let target = self.target
        return try await client.events(filters: filters, doing: "following the engine's service events") { json in
            guard let full = json["Actor"]?["Attributes"]?["name"]?.stringValue, full.hasPrefix(prefix) else { return nil }
            let name = String(full.dropFirst(prefix.count))
            return Names.isValid(name) ? ResourceEvent(target: target, name: name, action: json["Action"]?.stringValue ?? "update") : nil
        }
    }
}
