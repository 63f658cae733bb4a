import BerthEngine
import BerthJSON
import BerthModel

/// Making, joining and deleting the owner's networks.
extension NetworkOperations {
    /// How long a create that got no answer, or a delete that waits for its last
    /// containers to leave, is waited for (a loaded engine took over 60 s to make a network).
    static let patience: Duration = .seconds(120)

    func create(_ network: String, name: String) async throws -> String {
        var body: [String: JSONValue] = [
            "Name": .string(name), "Driver": .string(driver), "CheckDuplicate": .bool(true),
            "Labels": .object(NetworkNames.labels(owner: owner, target: target, network: network).mapValues { .string($0) }),
        ]
        // Attachable: a plain container (a test's, an operator's) can join a service's overlay.
        if driver == "overlay" { body["Attachable"] = .bool(true) }
        let doing = "creating network \(name)"
        do {
            let response = try await client.request("POST", "/networks/create", body: .object(body), doing: doing, accept: [409])
            if response.status != 409, let id = JSONValue(answer: response.body)?["Id"]?.stringValue { return id }
        } catch let error as BerthError where error.status == nil && error.code != .engineUnreachable {
            // Sent, but no answer: the engine may still be making it. Sending it again made a
            // second network of the same name on a loaded engine, so it is waited for instead.
            if let id = try await awaitNetwork(name) { return id }
            throw error
        }
        // Made meanwhile by somebody else (409), or an answer without an ID.
        if let id = try await existing(name) { return id }
        throw BerthError(.engineError, doing, cause: "the engine said it exists, but no network of that name is found", isRetryable: true)
    }

    private func awaitNetwork(_ name: String) async throws -> String? {
        let deadline = ContinuousClock.now + NetworkOperations.patience
        while ContinuousClock.now < deadline {
            if let id = try? await existing(name) { return id }
            try await Task.sleep(for: .seconds(1))
        }
        return nil
    }

    /// Joins the container to each of `networks` (names in specs) it is not on yet, with
    /// `alias` (its spec name) as DNS alias. `on`: the IDs of the networks it is on now.
    func join(container id: String, name: String, alias: String, networks: [String], on: Set<String>) async throws {
        for network in networks {
            let networkID = try await ensure(network)
            guard !on.contains(networkID) else { continue }
            try await connect(container: id, name: name, alias: alias, networkID: networkID, networkName: engineName(network))
        }
    }

    func connect(container id: String, name: String, alias: String, networkID: String, networkName: String) async throws {
        let body: JSONValue = .object(["Container": .string(id), "EndpointConfig": .object(["Aliases": .array([.string(alias)])])])
        let doing = "joining container \(name) to network \(networkName)"
        let response = try await client.request("POST", "/networks/\(networkID)/connect", body: body, doing: doing, accept: [403])
        // 403 "endpoint with name … already exists": joined already (a retry after a lost answer).
        if response.status == 403 && !response.bodyText.contains("already exists") {
            throw DockerClient.engineError(response, doing: doing)
        }
    }

    /// Deletes a network no spec uses. Containers this plan deletes may still be leaving it
    /// (the executor runs a plan's actions side by side): their going is waited for.
    func delete(id: String, name: String) async throws {
        let doing = "deleting network \(name)"
        try await disconnectOwn(id: id, name: name)
        let deadline = ContinuousClock.now + NetworkOperations.patience
        while true {
            // A bridge says "has active endpoints" (403); Swarm says "is in use by service" (400)
            // while a service deleted in this plan is still going.
            let response = try await client.request("DELETE", "/networks/\(id)", doing: doing, accept: [400, 403, 404, 409])
            if response.status == 404 { return }
            if response.status < 300 { return try await awaitGone(id: id, name: name) }
            let busy = response.bodyText.contains("active endpoints") || response.bodyText.contains("in use by")
                || response.bodyText.contains("in use")
            guard busy, ContinuousClock.now < deadline else {
                var error = DockerClient.engineError(response, doing: doing)
                error.isRetryable = true
                throw error
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}

extension NetworkOperations {
    /// A Swarm overlay is still listed for a moment after its delete was answered; the next
    /// observation must not see it, or it would plan the delete again.
    func awaitGone(id: String, name: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let found = try await client.request("GET", "/networks/\(id)", doing: "waiting for network \(name) to go", accept: [404])
            if found.status == 404 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// The owner's containers still on a network no spec lists leave it (the planner deletes
    /// a network only when every container left on it is berth's to take off or to delete).
    func disconnectOwn(id: String, name: String) async throws {
        let response = try await client.request("GET", "/networks/\(id)", doing: "inspecting network \(name)", accept: [404])
        guard response.status != 404 else { return }
        let attached = JSONValue(answer: response.body)?["Containers"]?.objectValue ?? [:]
        for (container, endpoint) in attached.sorted(by: { $0.key < $1.key }) {
            let inspected = try await client.request("GET", "/containers/\(container)/json", doing: "inspecting container \(container.prefix(12))", accept: [404])
            let json = JSONValue(answer: inspected.body)
            guard inspected.status != 404, json?["Config"]?["Labels"]?[Labels.owner]?.stringValue == owner else { continue }
            let label = endpoint["Name"]?.stringValue ?? String(container.prefix(12))
            // Its last network (a container being released, side by side with this delete):
            // it keeps one, the engine's default bridge.
            if (json?["NetworkSettings"]?["Networks"]?.objectValue ?? [:]).count == 1 {
                _ = try await client.request("POST", "/networks/bridge/connect", body: .object(["Container": .string(container)]),
                                             doing: "moving container \(label) to the default bridge", accept: [403, 404])
            }
            _ = try await client.request("POST", "/networks/\(id)/disconnect", body: .object(["Container": .string(container), "Force": .bool(true)]),
                                         doing: "taking container \(label) off network \(name)", accept: [404])
        }
    }
}

/// Serves the calls for one key (engine and network name) one after another in this
/// process: a plan's network create and its containers' joins run side by side, and two
/// creates of one name would make two networks on an engine whose duplicate check races.
actor NetworkGate {
    static let shared = NetworkGate()
    private var tails: [String: Task<Void, Never>] = [:]

    func serially<T: Sendable>(_ key: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tails[key]
        let task = Task<T, Error> {
            _ = await previous?.value
            return try await body()
        }
        tails[key] = Task { _ = try? await task.value }
        return try await task.value
    }
}
