import BerthJSON
import Foundation

/// The resource verbs: list (in pages with `limit` and `continue`), watch, get, create, update, patch (apply and merge), delete.
extension KubeTestServer {
    func serve(_ request: HTTPServerRequest, target: KubeRequestTarget, resource: KubeResourceTarget) throws(KubeStatus) -> HTTPServerReply {
        let kind = resource.kind
        guard let name = resource.name else {
            switch request.method {
            case "GET":
                let filter = try KubeObjectFilter(labelSelector: target.query["labelSelector"], fieldSelector: target.query["fieldSelector"])
                if target.flag("watch") == true { return watch(target, kind: kind, namespace: resource.namespace, filter: filter) }
                return Self.reply(200, try list(kind, namespace: resource.namespace, filter: filter, target: target))
            case "POST":
                let body = try Self.parseBody(request)
                try Self.checkNamespace(body, url: resource.namespace)
                try KubeSchema.checkCreate(body, kind: kind, strict: target.query["fieldValidation"] == "Strict")
                let name = try Self.nameForCreate(body)
                let key = KubeObjectKey(kind: kind, namespace: resource.namespace ?? "", name: name)
                let created = try write(target) { store throws(KubeStatus) in
                    kind.isNamespace ? try store.createNamespaceLocked(name, body: body, manager: Self.manager(request, target))
                        : try store.create(key, body: body, manager: Self.manager(request, target))
                }
                return Self.reply(201, Self.rendered(created, created: true, target))
            default:
                throw KubeStatus(code: 405, message: "the server does not allow this method on the requested resource",
                                 reason: "MethodNotAllowed", details: .object([:]))
            }
        }
        let key = KubeObjectKey(kind: kind, namespace: resource.namespace ?? "", name: name)
        switch request.method {
        case "GET":
            return Self.reply(200, try store.withLock { store throws(KubeStatus) in try store.get(key).rendered })
        case "PUT":
            let body = try Self.parseBody(request)
            try Self.checkName(body, url: name)
            try Self.checkNamespace(body, url: resource.namespace)
            if resource.subresource == "status" {
                return Self.reply(200, try write(target) { store throws(KubeStatus) in
                    try store.setStatus(key, status: body["status"] ?? .object([:])).rendered
                })
            }
            let manager = Self.manager(request, target)
            return Self.reply(200, try write(target) { store throws(KubeStatus) in try store.update(key, body: body, manager: manager).rendered })
        case "PATCH":
            return try patch(request, target: target, key: key, status: resource.subresource == "status")
        case "DELETE":
            let options = request.body.isEmpty ? nil : try Self.parseBody(request)
            let propagation = options?["propagationPolicy"]?.stringValue ?? target.query["propagationPolicy"]
            let precondition = options?["preconditions"]?["resourceVersion"]?.stringValue
            let uid = options?["preconditions"]?["uid"]?.stringValue
            return Self.reply(200, try write(target) { store throws(KubeStatus) in
                if let precondition, let current = try? store.get(key).resourceVersion, current != precondition {
                    throw .preconditionFailed(key.kind, name: key.name, sent: precondition, current: current)
                }
                if let uid, let current = try? store.get(key).object["metadata"]?["uid"]?.stringValue, current != uid {
                    throw .preconditionFailed(key.kind, name: key.name, field: "UID", sent: uid, current: current)
                }
                return try store.delete(key, propagation: propagation)
            })
        default:
            throw KubeStatus(code: 405, message: "the server does not allow this method on the requested resource",
                             reason: "MethodNotAllowed", details: .object([:]))
        }
    }

    private func patch(_ request: HTTPServerRequest, target: KubeRequestTarget, key: KubeObjectKey,
                       status: Bool) throws(KubeStatus) -> HTTPServerReply {
        let contentType = (request.header("Content-Type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        let isApply = contentType == "application/apply-patch+yaml"
        if isApply {
            guard let manager = target.query["fieldManager"], !manager.isEmpty else {
                throw .invalidPatchOptions(field: "fieldManager", reason: "FieldValueRequired", message: "Required value: is required for apply patch")
            }
            let body = try Self.parseBody(request)
            try Self.checkName(body, url: key.name)
            try Self.checkNamespace(body, url: key.kind.namespaced ? key.namespace : nil)
            let force = target.flag("force") ?? false
            let (stored, created) = try write(target) { store throws(KubeStatus) in
                try store.apply(key, body: body, manager: manager, force: force)
            }
            return Self.reply(created ? 201 : 200, Self.rendered(stored, created: created, target))
        }
        guard ["application/merge-patch+json", "application/strategic-merge-patch+json"].contains(contentType) else {
            throw .unsupportedMediaType
        }
        if target.query["force"] != nil {
            throw .invalidPatchOptions(field: "force", reason: "FieldValueForbidden", message: "Forbidden: may not be specified for non-apply patch")
        }
        let body = try Self.parseBody(request)
        let manager = Self.manager(request, target)
        return Self.reply(200, try write(target) { store throws(KubeStatus) in
            if status {
                let merged = KubeStore.mergePatch(try store.get(key).object["status"] ?? .object([:]), body["status"] ?? .object([:]))
                return try store.setStatus(key, status: merged).rendered
            }
            return try store.mergePatch(key, patch: body, manager: manager).rendered
        })
    }

    /// A dry run's new object was never stored, so it has no resourceVersion yet.
    static func rendered(_ stored: KubeStoredObject, created: Bool, _ target: KubeRequestTarget) -> JSONValue {
        guard created, target.query["dryRun"] == "All" else { return stored.rendered }
        return KubeStore.settingMetadata(stored.rendered, "resourceVersion", nil)
    }

    /// Runs a write under the store's lock, or as a dry run (`?dryRun=All`) that changes nothing.
    private func write<Result>(_ target: KubeRequestTarget,
                               _ body: (KubeStore) throws(KubeStatus) -> Result) throws(KubeStatus) -> Result {
        if target.query["dryRun"] == "All" { return try store.dryRun(body) }
        return try store.withLock(body)
    }

    private func list(_ kind: KubeResourceKind, namespace: String?, filter: KubeObjectFilter,
                      target: KubeRequestTarget) throws(KubeStatus) -> JSONValue {
        let limit = max(0, target.query["limit"].flatMap { Int($0) } ?? 0)
        let token = target.query["continue"].flatMap { $0.isEmpty ? nil : $0 }
        if token != nil, let version = target.query["resourceVersion"], !version.isEmpty, version != "0" {
            throw .badRequest("specifying resource version is not allowed when using continue")
        }
        return try store.withLock { store throws(KubeStatus) in
            let page = try store.listPage(kind, namespace: namespace, filter: filter, limit: limit, continue: token)
            let items = page.items.map { stored -> JSONValue in
                var fields = stored.rendered.objectValue ?? [:]
                fields["kind"] = nil
                fields["apiVersion"] = nil
                return .object(fields)
            }
            var metadata: [String: JSONValue] = ["resourceVersion": .string(String(page.resourceVersion))]
            if let next = page.continueToken { metadata["continue"] = .string(next) }
            if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .number(String(remaining)) }
            return .object([
                "kind": .string(kind.kind + "List"), "apiVersion": .string(kind.apiVersion),
                "metadata": .object(metadata), "items": .array(items),
            ])
        }
    }

    private func watch(_ target: KubeRequestTarget, kind: KubeResourceKind, namespace: String?,
                       filter: KubeObjectFilter) -> HTTPServerReply {
        let seconds = target.query["timeoutSeconds"].flatMap { Int($0) } ?? 1800
        let request = KubeWatchRequest(kind: kind, namespace: namespace, filter: filter,
                                       resourceVersion: target.query["resourceVersion"], allowBookmarks: target.flag("allowWatchBookmarks") ?? false,
                                       timeout: .seconds(seconds), bookmarkInterval: bookmarkInterval)
        let store = self.store
        return .streamed(status: 200, headers: [("Content-Type", "application/json")]) { writer in
            store.streamWatch(request, to: writer)
        }
    }

    static func parseBody(_ request: HTTPServerRequest) throws(KubeStatus) -> JSONValue {
        do {
            return try JSONParser.parse(request.body, rejectDuplicateKeys: false).value
        } catch {
            throw .badRequest("the body of the request was in an unknown format - accepted media types include: "
                              + "application/json, application/yaml, application/vnd.kubernetes.protobuf: \(error)")
        }
    }

    static func checkName(_ body: JSONValue, url: String) throws(KubeStatus) {
        if let name = body["metadata"]?["name"]?.stringValue, name != url {
            throw .badRequest("the name of the object (\(name)) does not match the name on the URL (\(url))")
        }
    }

    /// A namespace in the body must be the one in the URL.
    static func checkNamespace(_ body: JSONValue, url: String?) throws(KubeStatus) {
        if let namespace = body["metadata"]?["namespace"]?.stringValue, let url, namespace != url {
            throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
    }

    static func nameForCreate(_ body: JSONValue) throws(KubeStatus) -> String {
        if let name = body["metadata"]?["name"]?.stringValue, !name.isEmpty { return name }
        if let prefix = body["metadata"]?["generateName"]?.stringValue {
            let letters = Array("bcdfghjklmnpqrstvwxz2456789")
            return prefix + String((0..<5).map { _ in letters.randomElement()! })
        }
        throw KubeStatus(code: 422, message: "name or generateName is required", reason: "Invalid", details: .object([
            "causes": .array([KubeStatus.Cause(reason: "FieldValueRequired", message: "Required value: name or generateName is required",
                                               field: "metadata.name").json]),
        ]))
    }

    /// The field manager of a non-apply write: `fieldManager`, else the User-Agent's product name.
    static func manager(_ request: HTTPServerRequest, _ target: KubeRequestTarget) -> String {
        if let manager = target.query["fieldManager"], !manager.isEmpty { return manager }
        let agent = request.header("User-Agent") ?? "unknown"
        return agent.split(separator: "/").first.map(String.init) ?? agent
    }
}
