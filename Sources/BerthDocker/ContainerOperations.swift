import BerthEngine
import BerthJSON
import BerthModel

/// The steps behind each action. Every step tolerates having been done already (a retry
/// after a timeout, a rerun after a crash): "already started", "already gone" are success.
struct ContainerOperations {
    let client: DockerClient
    let owner: String
    let images: ImagePreparer

    func canonicalName(_ key: ResourceKey) -> String {
        Names.container(owner: owner, target: key.target, spec: key.name, replica: key.replica ?? 1)
    }

    func createAndStart(_ action: Action, name: String) async throws {
        let spec = action.spec!, hash = action.configHash!
        try await images.ensure(spec)
        let networks = networkOperations(action.key.target)
        let wanted = NetworkNames.wanted(spec)
        var body = ContainerBody.make(spec: spec, replica: action.key.replica ?? 1, owner: owner, configHash: hash)
        if let first = wanted.first { body = Self.pinning(body, network: networks.engineName(first), to: try await networks.ensure(first)) }
        let id: String
        do {
            id = try await create(name: name, body: body)
        } catch let error as BerthError where error.code == .conflict {
            // An earlier attempt may have created it before the answer was lost; or an outdated
            // duplicate of this replica, left by a crash, still holds the name and is removed.
            if let adopted = try await adoptExisting(name: name, key: action.key, hash: hash, original: error) {
                id = adopted
            } else {
                id = try await create(name: name, body: body)
            }
        } catch let error as BerthError where error.code == .notFound {
            throw BerthError(.notFound, "creating container \(name): image \(spec.image) is not on the engine",
                             cause: "load it first (docker pull, docker import or docker build); \(error.cause ?? "")")
        }
        if wanted.count > 1 { try await joinNetworks(id: id, name: name, spec: spec, key: action.key) }
        // `"state": "stopped"`: made, never started.
        if spec.state == .running { try await start(id: id, name: name) }
    }

    private func create(name: String, body: JSONValue) async throws -> String {
        let response = try await client.request(
            "POST", "/containers/create?name=\(Query.escape(name))", body: body, doing: "creating container \(name)")
        return JSONValue(answer: response.body)?["Id"]?.stringValue ?? name
    }

    /// A container already holding `name` is used only if it is ours, for this replica and
    /// config. One of ours for this replica with another config is an outdated duplicate (the
    /// plan deletes it too): it is removed and nil returned, so the caller creates again.
    func adoptExisting(name: String, key: ResourceKey, hash: String, original: BerthError) async throws -> String? {
        let response = try await client.request("GET", "/containers/\(Query.escape(name))/json", doing: "inspecting container \(name)", accept: [404])
        if response.status == 404 { return nil }
        let found = JSONValue(answer: response.body)
        let labels = found?["Config"]?["Labels"]?.objectValue ?? [:]
        guard isSameReplica(labels, key), let id = found?["Id"]?.stringValue else {
            throw BerthError(.conflict, "creating container \(name): the name is taken by a container berth did not make for this spec; berth leaves it alone — rename or remove it",
                             cause: original.cause)
        }
        if labels[Labels.configHash]?.stringValue == hash {
            ActionNotes.add("adopted container \(name) (\(id.prefix(12))), made by an earlier attempt whose answer was lost")
            return id
        }
        try await remove(id: id, doing: "removing outdated duplicate \(name)")
        return nil
    }

    /// Whether labels say: ours, for this spec and replica.
    private func isSameReplica(_ labels: [String: JSONValue], _ key: ResourceKey) -> Bool {
        labels[Labels.owner]?.stringValue == owner && labels[Labels.name]?.stringValue == key.name
            && labels[Labels.replica]?.stringValue == String(key.replica ?? 1)
    }

    /// The id of the container holding `name` if berth made it for this replica and
    /// configuration (and, if asked, it is running).
    func identical(name: String, key: ResourceKey, hash: String, running: Bool = false) async throws -> String? {
        let response = try await client.request("GET", "/containers/\(Query.escape(name))/json", doing: "inspecting container \(name)", accept: [404])
        let found = response.status == 404 ? nil : JSONValue(answer: response.body)
        let labels = found?["Config"]?["Labels"]?.objectValue ?? [:]
        guard labels[Labels.owner]?.stringValue == owner, labels[Labels.name]?.stringValue == key.name,
              labels[Labels.replica]?.stringValue == String(key.replica ?? 1),
              labels[Labels.configHash]?.stringValue == hash else { return nil }
        if running && found?["State"]?["Running"]?.boolValue != true { return nil }
        return found?["Id"]?.stringValue
    }

    func start(id: String, name: String) async throws {
        _ = try await client.request("POST", "/containers/\(id)/start", doing: "starting container \(name)", accept: [304])
    }

    /// Stopped on purpose (`"state": "stopped"`); stopped already is fine.
    func stop(id: String, name: String) async throws {
        _ = try await client.request("POST", "/containers/\(id)/stop", doing: "stopping container \(name)", accept: [304])
    }

    /// Restores resources and restart policy changed on the engine, in place: same container,
    /// no restart. Then the run state is brought to the spec's (one action per container per
    /// pass), which for a running container kept running is a no-op.
    func update(_ action: Action) async throws {
        let id = action.existingID!, name = action.existingName ?? canonicalName(action.key)
        // Nil: only networks to join (`not on network …`), which is done whatever the reason.
        if let native = action.native {
            _ = try await client.request("POST", "/containers/\(id)/update", body: native,
                                         doing: "updating the resources of container \(name) in place")
        }
        if let spec = action.spec { try await joinNetworks(id: id, name: name, spec: spec, key: action.key) }
        if action.spec?.state == .stopped { try await stop(id: id, name: name) } else { try await start(id: id, name: name) }
    }

    /// `"prune": false`: the container keeps running under `<name>-released` (or, when an
    /// earlier release holds that name, `<name>-released-<12 hex of its ID>`), which berth
    /// never observes again. Already released (the name has the mark) is success.
    func release(id: String, name: String) async throws {
        if Labels.isReleased(engineName: name) { return }
        for target in [name + Labels.releasedSuffix, name + Labels.releasedSuffix + "-" + String(id.prefix(12))] {
            let doing = "releasing container \(name) as \(target) (prune: false)"
            let renamed = try await client.request("POST", "/containers/\(id)/rename?name=\(Query.escape(target))", doing: doing, accept: [404, 409])
            // Gone already (404): nothing is left to release.
            if renamed.status != 409 { return }
        }
        throw BerthError(.conflict, "releasing container \(name): the names \(name)-released and \(name)-released-\(id.prefix(12)) are both taken",
                         cause: "rename or remove the container holding them")
    }

    /// Graceful stop (the container's own stop timeout), then removal. Gone already is fine.
    func retire(id: String, name: String) async throws {
        _ = try await client.request("POST", "/containers/\(id)/stop", doing: "stopping container \(name)", accept: [304, 404])
        try await remove(id: id, doing: "removing container \(name)")
    }

    /// Forced removal. Gone already (404) is success, and so is a removal already under way
    /// (409 "removal of container … is already in progress": after a crash one plan can hold
    /// both the deletion of a leftover `-next` and a replacement that clears that name), once
    /// the container is really gone, so that its name is free for what comes next.
    func remove(id: String, doing: String) async throws {
        let response = try await client.request("DELETE", "/containers/\(id)?force=true", doing: doing, accept: [404, 409])
        guard response.status == 409 else { return }
        let said = JSONValue(answer: response.body)?["message"]?.stringValue ?? ""
        guard said.contains("already in progress") else { throw DockerClient.engineError(response, doing: doing) }
        for _ in 0..<200 {
            let found = try await client.request("GET", "/containers/\(id)/json", doing: doing, accept: [404])
            if found.status == 404 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BerthError(.engineError, doing, cause: "the engine was still removing it after 20 s", isRetryable: true)
    }

    /// A delete that also removes the image when the spec said `removeImage` (recorded on the
    /// container, since the spec may be gone). An image another container still uses is kept.
    func delete(id: String, name: String) async throws -> String? {
        let inspected = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting container \(name)", accept: [404])
        let json = JSONValue(answer: inspected.body)
        try await retire(id: id, name: name)
        guard json?["Config"]?["Labels"]?[Labels.removeImage]?.stringValue == "true",
              let image = json?["Config"]?["Image"]?.stringValue else { return nil }
        let removed = try await client.request("DELETE", "/images/\(Query.escape(image))", doing: "removing image \(image)", accept: [404, 409])
        if removed.status == 409 {
            let said = JSONValue(answer: removed.body)?["message"]?.stringValue ?? "in use"
            return "image \(image) kept: \(said)"
        }
        return removed.status == 404 ? nil : "removed image \(image)"
    }

    /// The image is made ready before the old container stops: a build or pull that fails
    /// leaves what runs untouched.
    func replaceStopFirst(_ action: Action) async throws {
        try await images.ensure(action.spec!)
        let previous = try? await previousImage(action)
        try await retire(id: action.existingID!, name: action.existingName ?? canonicalName(action.key))
        try await createAndStart(action, name: canonicalName(action.key))
        // Tidying up never fails the replacement.
        try? await dropPreviousImage(previous, action)
    }

    /// The image the replaced container ran, when berth built or imported it.
    func previousImage(_ action: Action) async throws -> String? {
        let found = try await client.request("GET", "/containers/\(action.existingID!)/json", doing: "inspecting container \(action.existingName ?? "")", accept: [404])
        guard found.status != 404, let id = JSONValue(answer: found.body)?["Image"]?.stringValue else { return nil }
        let image = try await client.request("GET", "/images/\(id)/json", doing: "inspecting image \(id.prefix(19))", accept: [404])
        guard image.status != 404, JSONValue(answer: image.body)?["Config"]?["Labels"]?[ImagePreparer.sourceLabel] != nil else { return nil }
        return id
    }

    /// A rebuild or re-import leaves the image berth made before behind: it is removed once
    /// nothing uses it (the engine refuses while a container does, and then it stays).
    func dropPreviousImage(_ previous: String?, _ action: Action) async throws {
        guard let previous, try await images.identity(action.spec!.image) != previous else { return }
        let removed = try await client.request("DELETE", "/images/\(previous)", doing: "removing the previous image \(previous.prefix(19))", accept: [404, 409])
        if removed.status == 200 { ActionNotes.add("removed the previous image \(previous.prefix(19)), which nothing uses any more") }
    }

    /// New container under a temporary name, started; then the old one goes and the new one
    /// takes the final name. Falls back to stop-first when both cannot run at once.
    func replaceStartFirst(_ action: Action) async throws {
        let final = canonicalName(action.key)
        let temporary = final + "-next"
        // An earlier attempt got as far as the rename before its answer was lost: the new
        // container already holds the final name, running, and the old one is gone or nearly.
        // (A stopped one there is a leftover the same plan deletes, never the replacement.)
        if let done = try await identical(name: final, key: action.key, hash: action.configHash!, running: true),
           done != action.existingID {
            try await retire(id: action.existingID!, name: action.existingName ?? final)
            try await start(id: done, name: final)
            ActionNotes.add("container \(final) was already replaced by an earlier attempt whose answer was lost")
            return
        }
        try await removeIfOurs(name: temporary)
        do {
            try await createAndStart(action, name: temporary)
        } catch let error as BerthError where error.status == 500 && (error.cause ?? "").contains("already allocated") {
            try await removeIfOurs(name: temporary)
            try await replaceStopFirst(action)
            return
        }
        let previous = try? await previousImage(action)
        try await retire(id: action.existingID!, name: action.existingName ?? final)
        // Tidying up never fails the replacement.
        try? await dropPreviousImage(previous, action)
        let rename = "/containers/\(Query.escape(temporary))/rename?name=\(Query.escape(final))"
        let doing = "renaming container \(temporary) to \(final)"
        let renamed = try await client.request("POST", rename, doing: doing, accept: [409])
        guard renamed.status == 409 else { return }
        // After a crash mid-replace the final name can still be held by an outdated duplicate
        // of this replica, which the same plan deletes in parallel: it goes first, not the rename.
        let holder = try await client.request("GET", "/containers/\(Query.escape(final))/json", doing: "inspecting container \(final)", accept: [404])
        if holder.status != 404 {
            let found = JSONValue(answer: holder.body)
            guard isSameReplica(found?["Config"]?["Labels"]?.objectValue ?? [:], action.key), let id = found?["Id"]?.stringValue else {
                throw DockerClient.engineError(renamed, doing: doing)
            }
            try await remove(id: id, doing: "removing outdated duplicate \(final)")
        }
        _ = try await client.request("POST", rename, doing: doing)
    }

    /// Leftover from an interrupted replacement; removed only when it carries our owner label.
    func removeIfOurs(name: String) async throws {
        let response = try await client.request(
            "GET", "/containers/\(Query.escape(name))/json", doing: "inspecting container \(name)", accept: [404])
        guard response.status != 404, let found = JSONValue(answer: response.body),
              found["Config"]?["Labels"]?[Labels.owner]?.stringValue == owner,
              let id = found["Id"]?.stringValue else { return }
        try await remove(id: id, doing: "removing leftover container \(name)")
    }
}
