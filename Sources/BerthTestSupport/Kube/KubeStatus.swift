import BerthJSON

/// A failed API call as kube-apiserver reports it: an HTTP status and a `Status` body.
/// Thrown inside the test server and turned into the response at the edge.
struct KubeStatus: Error, Sendable {
    var code: Int
    var body: JSONValue

    /// A `Status` object; `reason` and `details` are left out when nil, as the real server
    /// does for 401, 400 BadRequest and 500.
    init(code: Int, message: String, reason: String?, details: JSONValue?, status: String = "Failure") {
        self.code = code
        var fields: [String: JSONValue] = [
            "kind": .string("Status"), "apiVersion": .string("v1"), "metadata": .object([:]),
            "status": .string(status), "message": .string(message),
        ]
        if status == "Success" { fields["message"] = nil }
        if let reason { fields["reason"] = .string(reason) }
        if let details { fields["details"] = details }
        if status != "Success" { fields["code"] = .number(String(code)) }
        body = .object(fields)
    }

    /// One entry of `details.causes`.
    struct Cause: Sendable {
        var reason: String
        var message: String
        var field: String

        var json: JSONValue {
            .object(["reason": .string(reason), "message": .string(message), "field": .string(field)])
        }
    }

    static func details(name: String?, kind: KubeResourceKind?, causes: [Cause] = [], uid: String? = nil) -> JSONValue {
        var fields: [String: JSONValue] = [:]
        if let name { fields["name"] = .string(name) }
        if let kind {
            fields["kind"] = .string(kind.plural)
            if !kind.group.isEmpty { fields["group"] = .string(kind.group) }
        }
        if let uid { fields["uid"] = .string(uid) }
        if !causes.isEmpty { fields["causes"] = .array(causes.map(\.json)) }
        return .object(fields)
    }

    static func notFound(_ kind: KubeResourceKind, name: String) -> KubeStatus {
        KubeStatus(code: 404, message: "\(kind.qualifiedPlural) \"\(name)\" not found", reason: "NotFound",
                   details: details(name: name, kind: kind))
    }

    /// An unknown resource inside a known group/version.
    static let unknownResource = KubeStatus(code: 404, message: "the server could not find the requested resource",
                                            reason: "NotFound", details: .object([:]))

    static func alreadyExists(_ kind: KubeResourceKind, name: String) -> KubeStatus {
        KubeStatus(code: 409, message: "\(kind.qualifiedPlural) \"\(name)\" already exists", reason: "AlreadyExists",
                   details: details(name: name, kind: kind))
    }

    /// A delete whose `preconditions.resourceVersion` (or `uid`) is not the object's.
    static func preconditionFailed(_ kind: KubeResourceKind, name: String, field: String = "ResourceVersion", sent: String,
                                   current: String) -> KubeStatus {
        let message = field == "UID"
            ? "Precondition failed: UID in precondition: \(sent), UID in object meta: \(current)"
            : "the ResourceVersion in the precondition (\(sent)) does not match the ResourceVersion in record (\(current)). The object might have been modified"
        return KubeStatus(code: 409, message: "Operation cannot be fulfilled on \(kind.qualifiedPlural) \"\(name)\": " + message,
                          reason: "Conflict", details: details(name: name, kind: kind))
    }

    static func staleResourceVersion(_ kind: KubeResourceKind, name: String) -> KubeStatus {
        KubeStatus(code: 409, message: "Operation cannot be fulfilled on \(kind.qualifiedPlural) \"\(name)\": the object has been "
                   + "modified; please apply your changes to the latest version and try again",
                   reason: "Conflict", details: details(name: name, kind: kind))
    }

    static func badRequest(_ message: String) -> KubeStatus {
        KubeStatus(code: 400, message: message, reason: "BadRequest", details: nil)
    }

    static func internalError(_ message: String) -> KubeStatus {
        KubeStatus(code: 500, message: message, reason: nil, details: nil)
    }

    static let unsupportedMediaType = KubeStatus(code: 415, message: "415: Unsupported Media Type",
                                                 reason: "UnsupportedMediaType", details: .object([:]))

    static let unauthorized = KubeStatus(code: 401, message: "Unauthorized", reason: "Unauthorized", details: nil)

    /// 422 for the query options of a patch (`fieldManager`, `force`).
    static func invalidPatchOptions(field: String, reason: String, message: String) -> KubeStatus {
        KubeStatus(code: 422, message: "PatchOptions.meta.k8s.io \"\" is invalid: \(field): \(message)", reason: "Invalid",
                   details: .object(["group": .string("meta.k8s.io"), "kind": .string("PatchOptions"),
                                     "causes": .array([Cause(reason: reason, message: message, field: field).json])]))
    }

    /// 422 Invalid listing every problem; the message joins them as the real server does.
    static func invalid(_ kind: KubeResourceKind, name: String, causes: [Cause]) -> KubeStatus {
        let parts = causes.map { "\($0.field): \($0.message)" }
        let summary = parts.count == 1 ? parts[0] : "[" + parts.joined(separator: ", ") + "]"
        let group = kind.group.isEmpty ? "" : ".\(kind.group)"
        var fields: [String: JSONValue] = ["name": .string(name), "kind": .string(kind.kind),
                                           "causes": .array(causes.map(\.json))]
        if !kind.group.isEmpty { fields["group"] = .string(kind.group) }
        return KubeStatus(code: 422, message: "\(kind.kind)\(group) \"\(name)\" is invalid: \(summary)", reason: "Invalid",
                          details: .object(fields))
    }

    /// 403 for a caller without credentials (`system:anonymous`).
    static func anonymousForbidden(verb: String, kind: KubeResourceKind, namespace: String?, name: String?) -> KubeStatus {
        let subject = name.map { "\(kind.qualifiedPlural) \"\($0)\"" } ?? kind.qualifiedPlural
        var message = "\(subject) is forbidden: User \"system:anonymous\" cannot \(verb) resource \"\(kind.plural)\" "
            + "in API group \"\(kind.group)\""
        message += namespace.map { " in the namespace \"\($0)\"" } ?? " at the cluster scope"
        return KubeStatus(code: 403, message: message, reason: "Forbidden", details: details(name: name, kind: kind))
    }

    /// 403 for a non-resource path requested without credentials.
    static func anonymousForbidden(path: String) -> KubeStatus {
        KubeStatus(code: 403, message: "forbidden: User \"system:anonymous\" cannot get path \"\(path)\"", reason: "Forbidden",
                   details: .object([:]))
    }

    static func namespaceTerminating(_ kind: KubeResourceKind, name: String, namespace: String) -> KubeStatus {
        let cause = Cause(reason: "NamespaceTerminating", message: "namespace \(namespace) is being terminated",
                          field: "metadata.namespace")
        return KubeStatus(code: 403, message: "\(kind.qualifiedPlural) \"\(name)\" is forbidden: unable to create new content in "
                          + "namespace \(namespace) because it is being terminated",
                          reason: "Forbidden", details: details(name: name, kind: kind, causes: [cause]))
    }

    /// The single ERROR event's object of a watch from a compacted resourceVersion.
    static func expired(requested: String, oldest: Int) -> KubeStatus {
        KubeStatus(code: 410, message: "too old resource version: \(requested) (\(oldest))", reason: "Expired", details: nil)
    }

    /// 410 for a list's continue token from a compacted resourceVersion. Its metadata holds
    /// the token that reads the rest from the latest state, as the real server's does.
    static func continueExpired(fresh token: String) -> KubeStatus {
        var status = KubeStatus(code: 410, message: "The provided continue parameter is too old to display a consistent list result. "
                                + "You can start a new list without the continue parameter, or use the continue token in this response "
                                + "to retrieve the remainder of the results. Continuing with the provided token results in an "
                                + "inconsistent list - objects that were created, modified, or deleted between the time the first "
                                + "chunk was returned and now may show up in the list.", reason: "Expired", details: nil)
        var fields = status.body.objectValue ?? [:]
        fields["metadata"] = .object(["continue": .string(token)])
        status.body = .object(fields)
        return status
    }

    /// 409 of a server-side apply that would change fields other managers own.
    static func fieldManagerConflicts(_ conflicts: [(manager: String, path: String)], apiVersion: String) -> KubeStatus {
        let causes = conflicts.map {
            Cause(reason: "FieldManagerConflict", message: "conflict with \"\($0.manager)\" using \(apiVersion)", field: $0.path)
        }
        let noun = conflicts.count == 1 ? "conflict" : "conflicts"
        let list = conflicts.map { "conflict with \"\($0.manager)\" using \(apiVersion): \($0.path)" }.joined(separator: "\n")
        return KubeStatus(code: 409, message: "Apply failed with \(conflicts.count) \(noun): \(list)", reason: "Conflict",
                          details: .object(["causes": .array(causes.map(\.json))]))
    }
}
