import BerthEngine
import BerthJSON
import BerthModel

/// The engine steps of one spec's rollout. A replaced container is stopped and renamed
/// `NAME-prev`, the record of the previous configuration, until the rollout ends; with
/// start-first the new one runs as `NAME-next` beside the old one and takes the name once proven.
actor ContainerRolloutSteps: RolloutSteps {
    let ops: ContainerOperations
    let actions: [Int: Action]
    let startFirst: Bool
    /// Where each old container was in Docker's DNS before it left it.
    private var leftDNS: [Int: [ContainerOperations.Endpoint]] = [:]
    /// The names each new container gets once proven.
    private var withheld: [Int: [ContainerOperations.Endpoint]] = [:]
    private var promoted: Set<Int> = []
    /// Old containers stopped and renamed `-prev`.
    private var retired: Set<Int> = []
    private var imageReady = false

    init(ops: ContainerOperations, actions: [Action], startFirst: Bool) {
        self.ops = ops; self.startFirst = startFirst
        self.actions = Dictionary(actions.map { ($0.key.replica ?? 1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func final(_ replica: Int) -> String { ops.canonicalName(actions[replica]!.key) }
    /// Where the new container of a replica is now.
    func newName(_ replica: Int) -> String { startFirst && !promoted.contains(replica) ? final(replica) + "-next" : final(replica) }
    func oldName(_ replica: Int) -> String { actions[replica]!.existingName ?? final(replica) }

    func replace(_ replicas: [Int]) async -> [Int: String] {
        if !imageReady {
            // A build or pull that fails leaves every old container serving.
            do { try await ops.images.ensure(actions.values.first!.spec!) } catch {
                return [replicas[0]: "the image could not be made ready: \(error)"]
            }
            imageReady = true
        }
        var failures: [Int: String] = [:]
        for replica in replicas {
            do {
                if !startFirst { try await retire(replica) }
                try await createNew(replica)
            } catch {
                failures[replica] = "could not be made: \(error)"
            }
        }
        return failures
    }

    /// Out of DNS, stopped, renamed `-prev`.
    private func retire(_ replica: Int) async throws {
        let action = actions[replica]!, id = action.existingID!, name = oldName(replica)
        leftDNS[replica] = try await ops.leaveDNS(id, name: name)
        try await ops.stop(id: id, name: name)
        let previous = final(replica) + "-prev"
        try await ops.removeIfOurs(name: previous)
        _ = try await ops.client.request("POST", "/containers/\(id)/rename?name=\(Query.escape(previous))",
                                         doing: "renaming container \(name) to \(previous), the record of its configuration until the rollout ends")
        retired.insert(replica)
    }

    /// Made with its networks but without its names there, and started.
    private func createNew(_ replica: Int) async throws {
        let action = actions[replica]!, name = newName(replica), spec = action.spec!
        try await ops.removeIfOurs(name: name)
        let networks = ops.networkOperations(action.key.target), wanted = NetworkNames.wanted(spec)
        var full = ContainerBody.make(spec: spec, replica: replica, owner: ops.owner, configHash: action.configHash!)
        // On its network by ID, as `createAndStart` does (a duplicate name cannot make it ambiguous).
        if let first = wanted.first {
            full = ContainerOperations.pinning(full, network: networks.engineName(first), to: try await networks.ensure(first))
        }
        var (body, names) = ContainerOperations.withheldAliases(full)
        let response = try await ops.client.request("POST", "/containers/create?name=\(Query.escape(name))", body: body,
                                                    doing: "creating container \(name)")
        let id = JSONValue(answer: response.body)?["Id"]?.stringValue ?? name
        // The spec's other networks, joined before it starts, nameless too.
        for network in wanted.dropFirst() {
            let networkID = try await networks.ensure(network)
            let engineName = NetworkNames.engineName(owner: ops.owner, target: action.key.target, network: network)
            _ = try await ops.client.request("POST", "/networks/\(networkID)/connect", body: .object(["Container": .string(id)]),
                                             doing: "joining container \(name) to network \(engineName)")
            names.append(ContainerOperations.Endpoint(network: engineName, aliases: [spec.name.rawValue]))
        }
        withheld[replica] = names
        try await ops.start(id: id, name: name)
    }

    func conditions(_ replicas: [Int]) async -> [Int: RolloutMachine.Condition] {
        var out: [Int: RolloutMachine.Condition] = [:]
        for replica in replicas {
            let name = newName(replica)
            guard let response = try? await ops.client.request("GET", "/containers/\(Query.escape(name))/json", doing: "inspecting container \(name)", accept: [404]) else {
                out[replica] = .starting   // the engine did not answer: asked again
                continue
            }
            guard response.status != 404, let found = JSONValue(answer: response.body) else { out[replica] = .failed("container \(name) is gone"); continue }
            out[replica] = ContainerRolloutSteps.condition(found)
        }
        return out
    }

    static func condition(_ found: JSONValue) -> RolloutMachine.Condition {
        let state = found["State"]
        let status = state?["Status"]?.stringValue ?? "unknown"
        if status == "exited" || status == "dead" {
            return .failed("exited with code \(state?["ExitCode"]?.intValue ?? -1)")
        }
        if (found["RestartCount"]?.intValue ?? 0) > 0 { return .failed("restarted \(found["RestartCount"]!.intValue!) time(s)") }
        if let health = state?["Health"] {
            switch health["Status"]?.stringValue {
            case "healthy": return .healthy
            case "unhealthy":
                let output = health["Log"]?.arrayValue?.last?["Output"]?.stringValue ?? ""
                let said = String(output.split(whereSeparator: \.isNewline).last ?? "").split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                return .failed("unhealthy" + (said.isEmpty ? "" : ": " + String(said.prefix(200))))
            default: return .starting
            }
        }
        return status == "running" ? .running : .starting
    }

    /// Proven: the new container gets its names; with start-first the old one then leaves
    /// DNS, stops, becomes `-prev`, and the new one takes the name.
    func promote(_ replicas: [Int]) async throws {
        for replica in replicas {
            let name = newName(replica)
            if let names = withheld[replica], !names.isEmpty { try await ops.joinDNS(name, name: name, names) }
            if startFirst {
                try await retire(replica)
                _ = try await ops.client.request("POST", "/containers/\(Query.escape(name))/rename?name=\(Query.escape(final(replica)))",
                                                 doing: "renaming container \(name) to \(final(replica))")
                promoted.insert(replica)
            }
        }
    }

    func rollBack(_ replicas: [Int]) async throws {
        for replica in replicas {
            let new = newName(replica)
            try await ops.leaveDNS(new, name: new)
            try await ops.removeIfOurs(name: new)
            guard retired.contains(replica) else { continue }
            // The previous container takes its name and its place in DNS again.
            let action = actions[replica]!, id = action.existingID!
            _ = try await ops.client.request("POST", "/containers/\(id)/rename?name=\(Query.escape(oldName(replica)))",
                                             doing: "renaming container \(final(replica))-prev back to \(oldName(replica))")
            try await ops.start(id: id, name: oldName(replica))
            if let names = leftDNS[replica], !names.isEmpty { try await ops.joinDNS(id, name: oldName(replica), names) }
            retired.remove(replica)
        }
    }

    /// The rollout is over: the `-prev` records go; a new container never proven beside a
    /// still-serving old one (start-first, paused) goes too.
    func finish(_ replicas: [Int]) async throws {
        for replica in replicas {
            if retired.contains(replica) {
                try await ops.remove(id: actions[replica]!.existingID!, doing: "removing container \(final(replica))-prev after the rollout")
            } else if startFirst && !promoted.contains(replica) {
                try await ops.removeIfOurs(name: newName(replica))
            }
        }
    }
}
