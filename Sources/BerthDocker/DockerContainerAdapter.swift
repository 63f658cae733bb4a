import BerthEngine
import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

/// Containers on a Docker Engine: the `docker` target.
public struct DockerContainerAdapter: Platform {
    public let target: TargetName
    public let platform = PlatformID.docker
    public let client: DockerClient
    public let images: ImagePreparer
    /// Failed rollouts (`DockerContainerAdapter+Rollout`).
    public let rollouts: ContainerRolloutRecords
    /// The clock rollouts read and sleep on.
    public var clock: RolloutClock = .live

    public init(client: DockerClient, images: ImagePreparer? = nil, target: TargetName = .docker,
                rollouts: ContainerRolloutRecords = ContainerRolloutRecords(path: nil)) {
        self.client = client
        self.target = target
        self.images = images ?? ImagePreparer(client: client)
        self.rollouts = rollouts
    }

    /// One label-filtered list call for the containers, one for the volumes; no inspect per container.
    public func observe(owner: String) async throws -> [ObservedResource] {
        try await containers(owner: owner) + volumes(owner: owner).observe(wanted: [])
    }

    func volumes(owner: String) -> VolumeOperations { VolumeOperations(client: client, owner: owner, target: target) }

    func containers(owner: String) async throws -> [ObservedResource] {
        let filters = JSONValue.object(["label": .array([Labels.ownerFilter(owner)])]).serialized()
        let response = try await client.request(
            "GET", "/containers/json?all=1&filters=\(Query.escape(filters))", doing: "listing containers of owner \(owner)")
        guard let list = JSONValue(answer: response.body)?.arrayValue else {
            throw BerthError(.engineError, "listing containers of owner \(owner)", cause: "the engine's answer is not a JSON array")
        }
        var found = list.compactMap { DockerContainerAdapter.observed($0, owner: owner, target: target) }
        found += try await NetworkOperations(client: client, owner: owner, target: target).observe()
        // How a stopped container ended is only in its inspect; few are stopped at a time.
        for index in found.indices where found[index].kind == "container" && found[index].state != .running && found[index].state != .removing {
            found[index].exit = try? await exitInfo(found[index].id)
        }
        return found
    }

    /// The same, and what only an inspect shows (for containers of the current configuration,
    /// one call each): each container's resources and restart
    /// policy, and the image ID its spec's image reference names now, so that `docker update`
    /// and a moved tag are seen though the labels are unchanged. Specs pulled `"always"` are
    /// pulled first (a moving tag is followed on every reconcile; `plan` pulls too, to know).
    public func observe(owner: String, desired: DesiredState) async throws -> [ObservedResource] {
        var found = try await containers(owner: owner)
        let specs = Dictionary(desired.specs.filter { $0.target == target }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // Volumes the specs name that berth has not made here yet are looked up by name.
        let wanted = Set(specs.values.flatMap { $0.volumes.filter { !$0.isBind }.map(\.source) })
        let volumes = try await volumes(owner: owner).observe(wanted: wanted)
        // One whose hash differs is replaced anyway: only current ones are inspected.
        let current = found.indices.filter { index in
            guard found[index].kind == "container", found[index].state != .removing, found[index].state != .dead, let name = found[index].name,
                  let spec = specs[name] else { return false }
            return found[index].configHash == spec.configHash
        }
        // Each image once, before the inspects. A registry that fails now must not make the
        // whole target unobservable: the tag is judged by what the engine holds, and a create
        // reports the pull's error.
        var imageIDs: [String: String?] = [:]
        for index in current {
            let spec = specs[found[index].name!]!
            guard imageIDs[spec.image] == nil else { continue }
            if case .registry(pull: .always) = spec.imageSource.kind { try? await images.ensure(spec) }
            imageIDs[spec.image] = .some(try await imageID(spec.image))
        }
        // The inspects side by side, a few at a time: one after another they were most of a
        // no-op plan's time on an engine holding many containers.
        let inspected = try await withThrowingTaskGroup(of: (Int, JSONValue?).self) { group in
            var results: [Int: JSONValue] = [:]
            var next = current.makeIterator()
            func launch() {
                guard let index = next.next() else { return }
                let id = found[index].id, name = found[index].engineName
                group.addTask {
                    let response = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(name)", accept: [404])
                    return (index, response.status == 404 ? nil : JSONValue(answer: response.body))
                }
            }
            // Over ssh:// each connection at once is an ssh login of its own: one kept-alive child
            // answers them one after another sooner than eight logins would.
            let width = if case .ssh = client.endpoint { 1 } else { DockerContainerAdapter.inspectsAtOnce }
            for _ in 0..<width { launch() }
            while let (index, json) = try await group.next() {
                if let json { results[index] = json }
                launch()
            }
            return results
        }
        for (index, json) in inspected {
            found[index].settings = ContainerSettings(hostConfig: json["HostConfig"])
            found[index].imageID = json["Image"]?.stringValue
            found[index].health = json["State"]?["Health"]?["Status"]?.stringValue
            found[index].wantedImageID = imageIDs[specs[found[index].name!]!.image] ?? nil
        }
        return found + volumes
    }

    /// Inspects in flight at once while observing (a plan's cost on an engine of many containers).
    static let inspectsAtOnce = 8

    /// The ID the engine gives `ref` now; nil when it has no such image.
    func imageID(_ ref: String) async throws -> String? {
        let found = try await client.request("GET", "/images/\(Query.escape(ref))/json", doing: "inspecting image \(ref)", accept: [404])
        return found.status == 404 ? nil : JSONValue(answer: found.body)?["Id"]?.stringValue
    }

    func exitInfo(_ id: String) async throws -> ObservedResource.ExitInfo? {
        let response = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(id.prefix(12))")
        guard let state = JSONValue(answer: response.body)?["State"], let code = state["ExitCode"]?.intValue,
              let finished = state["FinishedAt"]?.stringValue, !finished.hasPrefix("0001-") else { return nil }
        return ObservedResource.ExitInfo(code: code, finishedAt: finished)
    }

    static func observed(_ item: JSONValue, owner: String, target: TargetName = .docker) -> ObservedResource? {
        guard let id = item["Id"]?.stringValue else { return nil }
        let labels = item["Labels"]?.objectValue ?? [:]
        // The filter already matched, but a label is data: check it again before owning anything.
        guard labels[Labels.owner]?.stringValue == owner, Labels.belongs(labels[Labels.target]?.stringValue, to: target) else { return nil }
        let name = labels[Labels.name]?.stringValue.flatMap { Names.isValid($0) ? SpecName($0) : nil }
        let replica = labels[Labels.replica]?.stringValue.flatMap { Int($0) }.flatMap { $0 >= 1 ? $0 : nil }
        let engineName = item["Names"]?.arrayValue?.first?.stringValue.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? id
        // Released (`"prune": false`): still labelled, since Docker cannot remove labels, but
        // no longer berth's: never observed, so never planned, healed or deleted.
        if Labels.isReleased(engineName: engineName) { return nil }
        var found = ObservedResource(
            id: id, target: target, platform: .docker, name: name, replica: replica, engineName: engineName,
            configHash: labels[Labels.configHash]?.stringValue,
            state: RunState(docker: item["State"]?.stringValue ?? "unknown"))
        found.prune = labels[Labels.prune]?.stringValue != "false"
        found.mountedVolumes = (item["Mounts"]?.arrayValue ?? []).compactMap { mount in
            mount["Type"]?.stringValue == "volume" ? mount["Name"]?.stringValue : nil
        }
        found.networks = ObservedResource.networkIDs(item)
        return found
    }

    public func perform(_ action: Action, owner: String) async throws {
        if action.key.kind == ObservedResource.volumeKind {
            switch action.op {
            case .create: return try await volumes(owner: owner).create(action)
            case .delete: return try await volumes(owner: owner).delete(action)
            default: throw BerthError(.unsupported, "volumes are only created and deleted")
            }
        }
        if action.key.kind == NetworkNames.kind {
            return try await NetworkOperations(client: client, owner: owner, target: target).perform(action)
        }
        let ops = ContainerOperations(client: client, owner: owner, images: images, volumes: volumes(owner: owner))
        switch action.op {
        case .create:
            try await ops.createAndStart(action, name: ops.canonicalName(action.key))
        case .start:
            try await ops.start(id: action.existingID!, name: action.existingName ?? action.key.name.rawValue)
        case .stop:
            try await ops.stop(id: action.existingID!, name: action.existingName ?? action.key.name.rawValue)
        case .update:
            try await ops.update(action)
        case .delete:
            if let note = try await ops.delete(id: action.existingID!, name: action.existingName ?? action.key.name.rawValue) {
                await images.report(note)
            }
        case .replace:
            if action.strategy == .stopFirst {
                try await ops.replaceStopFirst(action)
            } else {
                try await ops.replaceStartFirst(action)
            }
        case .release:
            try await ops.release(id: action.existingID!, name: action.existingName ?? ops.canonicalName(action.key))
            try await NetworkOperations(client: client, owner: owner, target: target)
                .release(container: action.existingID!, name: action.existingName ?? ops.canonicalName(action.key))
        case .adopt:
            throw BerthError(.unsupported, "containers are never adopted")
        }
    }
}

enum Query {
    /// Percent-encodes a query value: only unreserved characters stay literal.
    static func escape(_ value: String) -> String {
        value.percentEncodedUnreserved()
    }
}
