import BerthHTTP
import BerthEngine
import BerthJSON
import BerthModel

/// The steps behind each Swarm action, each safe to run again after a partial failure.
extension DockerSwarmAdapter {
    func create(name: String, body: JSONValue, hash: String) async throws {
        var answer: HTTPResponse?
        // A service removed a moment ago (a mode change) can hold its name for a little while.
        for attempt in 1...20 {
            do {
                answer = try await swarmCall { try await client.request("POST", "/services/create", body: body, doing: "creating service \(name)") }
                break
            } catch let error as BerthError where error.code == .conflict && attempt < 20 {
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        guard let id = answer.flatMap({ JSONValue(answer: $0.body)?["ID"]?.stringValue }) else {
            throw BerthError(.engineError, "creating service \(name)", cause: "the engine's answer has no ID")
        }
        try await verify(id: id, name: name, body: body, hash: hash)
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

    /// Reads the service back and records what was sent. Keys the engine silently dropped
    /// (an unknown key deeper than berth checks) would look like drift on every pass: they are
    /// recorded, so that this content is not sent again, and the action fails naming them.
    func verify(id: String, name: String, body: JSONValue, hash: String) async throws {
        let current = try await client.request("GET", "/services/\(id)", doing: "reading service \(name) back")
        let stored = JSONValue(answer: current.body)?["Spec"]
        let unkept = NativeDrift.changes(desired: body, observed: stored).map(\.path)
        do { try records.record(service: name, hash: hash, unkept: unkept) } catch {
            throw BerthError(.io, "recording what was sent to service \(name)", cause: "\(error)")
        }
        guard unkept.isEmpty else {
            throw BerthError(.refused, "service \(name): the engine did not keep \(unkept.joined(separator: ", ")) (it ignores keys it does not know)",
                             cause: "berth does not send this spec content again; remove or correct those keys in the spec")
        }
    }

    /// `"prune": false`: the service keeps running, given up by berth: an update of its spec
    /// as it is now without berth's labels (Spec.Labels only, so no task is restarted), after
    /// which berth's owner filter never finds it again. Gone already is success.
    func release(id: String, name: String, networks: NetworkOperations) async throws {
        let current = try await client.request("GET", "/services/\(id)", doing: "reading service \(name)", accept: [404])
        guard current.status != 404, let spec = JSONValue(answer: current.body)?["Spec"]?.objectValue else { return }
        var body = try await networks.released(spec)
        let labels = (spec["Labels"]?.objectValue ?? [:]).filter { !$0.key.hasPrefix(Labels.prefix) }
        body["Labels"] = .object(labels)
        try await update(id: id, name: name, body: .object(body))
    }

    /// Removes the service and waits until its name is free.
    func remove(id: String, name: String) async throws {
        _ = try await client.request("DELETE", "/services/\(id)", doing: "removing service \(name)", accept: [404])
        for _ in 0..<100 {
            let found = try await client.request("GET", "/services/\(id)", doing: "waiting for service \(name) to go", accept: [404])
            if found.status == 404 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A delete that also removes the image when the spec said `removeImage` (recorded on the
    /// service, since the spec may be gone), once the service's containers are gone. An image
    /// something else still uses is kept, with a note.
    func delete(id: String, name: String) async throws {
        let found = try await client.request("GET", "/services/\(id)", doing: "reading service \(name)", accept: [404])
        let spec = found.status == 404 ? nil : JSONValue(answer: found.body)?["Spec"]
        try await remove(id: id, name: name)
        try? records.forget(service: name)
        guard spec?["Labels"]?[Labels.removeImage]?.stringValue == "true",
              let image = spec?["Labels"]?[Labels.image]?.stringValue ?? spec?["TaskTemplate"]?["ContainerSpec"]?["Image"]?.stringValue
        else { return }
        let filters = JSONValue.object(["label": .array([.string("com.docker.swarm.service.id=\(id)")])]).serialized()
        for _ in 0..<300 {
            let left = try await client.request("GET", "/containers/json?all=1&filters=\(Query.escape(filters))", doing: "waiting for the tasks of service \(name) to go")
            if JSONValue(answer: left.body)?.arrayValue?.isEmpty ?? true { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let removed = try await client.request("DELETE", "/images/\(Query.escape(image))", doing: "removing image \(image)", accept: [404, 409])
        let note: String? = switch removed.status {
        case 409: "image \(image) kept: " + (JSONValue(answer: removed.body)?["message"]?.stringValue ?? "in use")
        case 404: nil
        default: "removed image \(image)"
        }
        if let note { ActionNotes.add(note); await images.report(note) }
    }
}
