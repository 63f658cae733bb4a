import BerthEngine
import BerthJSON
import BerthModel

/// Named volumes on a Docker Engine: listed with one label-filtered request per observation,
/// created with berth's labels, deleted only as the plan says (see `VolumePlanner`).
struct VolumeOperations {
    let client: DockerClient
    let owner: String
    let target: TargetName

    /// The owner's volumes on this target, then each volume a spec names that the list did
    /// not hold (a volume somebody else made, used as it is): one inspect each, and only
    /// until berth has made it.
    func observe(wanted: Set<String>) async throws -> [ObservedResource] {
        let filters = JSONValue.object(["label": .array([Labels.ownerFilter(owner), .string("\(Labels.kind)=\(ObservedResource.volumeKind)")])]).serialized()
        let response = try await client.request("GET", "/volumes?filters=\(Query.escape(filters))", doing: "listing volumes of owner \(owner)")
        guard let list = JSONValue(answer: response.body)?["Volumes"] else {
            throw BerthError(.engineError, "listing volumes of owner \(owner)", cause: "the engine's answer has no Volumes list")
        }
        var found: [ObservedResource] = []
        for item in list.arrayValue ?? [] {
            guard let volume = observed(item), !volume.unowned else { continue }
            found.append(volume)
        }
        let seen = Set(found.compactMap(\.name?.rawValue))
        for name in wanted.subtracting(seen).sorted() {
            let inspected = try await client.request("GET", "/volumes/\(Query.escape(name))", doing: "inspecting volume \(name)", accept: [404])
            guard inspected.status != 404, let item = JSONValue(answer: inspected.body), var volume = observed(item) else { continue }
            // Ours for another target, or another owner's: not this target's to delete.
            volume.unowned = true
            found.append(volume)
        }
        return found
    }

    /// One volume of the engine's list or inspect as the planner sees it.
    func observed(_ item: JSONValue) -> ObservedResource? {
        guard let name = item["Name"]?.stringValue else { return nil }
        let labels = item["Labels"]?.objectValue ?? [:]
        var volume = ObservedResource(id: name, target: target, platform: .docker, kind: ObservedResource.volumeKind, name: SpecName(name),
                                      replica: nil, engineName: name, configHash: nil, state: .running)
        volume.unowned = labels[Labels.owner]?.stringValue != owner || !Labels.belongs(labels[Labels.target]?.stringValue, to: target)
        volume.prune = labels[Labels.prune]?.stringValue == "true"
        return volume
    }

    /// The plan's create. A volume of that name made meanwhile (by a container's create, or
    /// by somebody else) is left as it is: the engine answers with the one it has.
    func create(_ action: Action) async throws {
        let body = action.native ?? VolumePlanner.body(name: action.key.name.rawValue, target: target, owner: owner, prune: false)
        try await create(body, name: action.key.name.rawValue)
    }

    /// Every named volume `spec` mounts, made with berth's labels before its container is: the
    /// engine would otherwise make an unlabelled one itself when the container is created,
    /// and the executor runs a plan's actions side by side.
    func ensure(_ spec: Spec) async throws {
        for mount in spec.volumes where !mount.isBind {
            try await create(VolumePlanner.body(name: mount.source, target: target, owner: owner, prune: mount.prune), name: mount.source)
        }
    }

    private func create(_ body: JSONValue, name: String) async throws {
        let response = try await client.request("POST", "/volumes/create", body: body, doing: "creating volume \(name)")
        let labels = JSONValue(answer: response.body)?["Labels"]?.objectValue ?? [:]
        if labels[Labels.owner]?.stringValue != owner {
            ActionNotes.add("volume \(name) was already there, not made by berth for owner \(owner): used as it is, never deleted")
        }
    }

    /// Deleted once the containers the same plan deletes are gone (they are deleted side by
    /// side with it); gone already is success. A volume some other container still uses is
    /// kept, and the failure says by which.
    func delete(_ action: Action) async throws {
        let name = action.key.name.rawValue
        for id in VolumePlanner.waitsFor(action) {
            try await waitUntilGone(container: id, volume: name)
        }
        let doing = "deleting volume \(name)"
        let response = try await client.request("DELETE", "/volumes/\(Query.escape(name))", doing: doing, accept: [404, 409])
        guard response.status == 409 else { return }
        let users = try await client.request("GET", "/containers/json?all=1&filters=\(Query.escape(JSONValue.object(["volume": .array([.string(name)])]).serialized()))",
                                             doing: "listing the containers using volume \(name)")
        let names = (JSONValue(answer: users.body)?.arrayValue ?? []).compactMap { $0["Names"]?.arrayValue?.first?.stringValue }
            .map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }
        throw BerthError(.conflict, doing, cause: "it is still used by container\(names.count == 1 ? "" : "s") \(names.isEmpty ? "(unknown)" : names.sorted().joined(separator: ", ")); it is kept until nothing uses it",
                         isRetryable: true)
    }

    /// Up to two minutes: a container's stop takes its own stop timeout.
    private func waitUntilGone(container id: String, volume: String) async throws {
        for _ in 0..<1200 {
            let found = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(id.prefix(12))", accept: [404])
            if found.status == 404 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BerthError(.engineError, "deleting volume \(volume)",
                         cause: "container \(id.prefix(12)), which uses it, was still there after 120 s", isRetryable: true)
    }
}
