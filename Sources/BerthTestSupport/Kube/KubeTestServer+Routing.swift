import BerthJSON
import Foundation

/// A request target split into path segments and decoded query parameters.
struct KubeRequestTarget {
    var segments: [String]
    var query: [String: String]

    init(_ target: String) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        segments = parts[0].split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        query = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let decode = { (text: Substring) in text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
                query[decode(pieces[0])] = pieces.count > 1 ? decode(pieces[1]) : ""
            }
        }
    }

    func flag(_ name: String) -> Bool? {
        query[name].map { $0 == "1" || $0.lowercased() == "true" }
    }
}

/// Which object or collection a resource path names.
struct KubeResourceTarget {
    var kind: KubeResourceKind
    var namespace: String?
    var name: String?
    var subresource: String?
}

extension KubeTestServer {
    func handle(_ request: HTTPServerRequest) -> HTTPServerReply {
        log.withLock {
            $0.append(KubeRecordedRequest(method: request.method, path: request.path, contentType: request.header("Content-Type"),
                                          body: try? JSONParser.parse(request.body, rejectDuplicateKeys: false).value,
                                          bodyText: request.bodyText))
        }
        actions.withLock { KubeInjection.take(from: &$0, for: request) }?()
        if let reply = failures.withLock({ KubeInjection.take(from: &$0, for: request) }) {
            return reply
        }
        let target = KubeRequestTarget(request.path)
        do {
            return try route(request, target: target)
        } catch {
            return Self.reply(error.code, error.body)
        }
    }

    static func reply(_ status: Int, _ body: JSONValue, contentType: String = "application/json") -> HTTPServerReply {
        .response(status: status, headers: [("Content-Type", contentType)], body: Array(body.serialized().utf8))
    }

    static let pageNotFound = HTTPServerReply.text("404 page not found\n", status: 404)

    private func route(_ request: HTTPServerRequest, target: KubeRequestTarget) throws(KubeStatus) -> HTTPServerReply {
        let segments = target.segments
        if segments == ["version"] { return Self.reply(200, KubeDiscovery.version) }
        if segments.count == 1, let health = health(segments[0], verbose: target.query["verbose"] != nil) { return health }
        let resource = try resolve(segments)
        try authorize(request, resource: resource, path: "/" + segments.joined(separator: "/"))
        let kinds = store.withLock { $0.state.kinds }
        switch segments.count {
        case 1 where segments[0] == "api":
            return Self.reply(200, KubeDiscovery.coreVersions(serverAddress: url.replacingOccurrences(of: "http://", with: "")))
        case 1 where segments[0] == "apis":
            if request.header("Accept")?.contains("as=APIGroupDiscoveryList") == true {
                return Self.reply(200, KubeDiscovery.aggregated(kinds), contentType: KubeDiscovery.aggregatedContentType)
            }
            return Self.reply(200, KubeDiscovery.groupList(kinds))
        case 2 where segments[0] == "apis":
            guard let group = KubeDiscovery.group(kinds, name: segments[1]) else { return Self.pageNotFound }
            return Self.reply(200, group)
        case 2 where segments[0] == "api":
            guard let list = KubeDiscovery.resourceList(kinds, group: "", version: segments[1]) else { return Self.pageNotFound }
            return Self.reply(200, list)
        case 3 where segments[0] == "apis":
            guard let list = KubeDiscovery.resourceList(kinds, group: segments[1], version: segments[2]) else { return Self.pageNotFound }
            return Self.reply(200, list)
        default:
            break
        }
        guard let resource else { return Self.pageNotFound }
        return try serve(request, target: target, resource: resource)
    }

    /// The resource a path names; nil for paths that are not resource paths. An unknown
    /// resource in a known group/version is a 404 Status; an unknown group is left to the
    /// caller's plain-text 404.
    private func resolve(_ segments: [String]) throws(KubeStatus) -> KubeResourceTarget? {
        let group: String
        let version: String
        var rest: ArraySlice<String>
        if segments.first == "api", segments.count >= 3 {
            (group, version, rest) = ("", segments[1], segments.dropFirst(2))
        } else if segments.first == "apis", segments.count >= 4 {
            (group, version, rest) = (segments[1], segments[2], segments.dropFirst(3))
        } else {
            return nil
        }
        let kinds = store.withLock { $0.state.kinds }
        guard kinds.contains(where: { $0.group == group && $0.version == version }) else {
            // A known group in a version it lacks (apps/v9) is a Status 404; an unknown group
            // is the mux's plain-text one.
            if !group.isEmpty, kinds.contains(where: { $0.group == group }) { throw .unknownResource }
            return nil
        }
        var namespace: String?
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        let plural = rest.removeFirst()
        guard let kind = kinds.first(where: { $0.group == group && $0.version == version && $0.plural == plural }),
              rest.count <= 2 else { throw .unknownResource }
        if namespace != nil && !kind.namespaced { throw .unknownResource }
        // Only the status subresource is served; scale and the rest would need a controller's view.
        if rest.count == 2 && rest.last != "status" { throw .unknownResource }
        return KubeResourceTarget(kind: kind, namespace: namespace, name: rest.first, subresource: rest.dropFirst().first)
    }

    /// Bearer-token check: no credentials is 403 for `system:anonymous`, a wrong token 401.
    private func authorize(_ request: HTTPServerRequest, resource: KubeResourceTarget?, path: String) throws(KubeStatus) {
        guard requireToken else { return }
        guard let header = request.header("Authorization") else {
            guard let resource else { throw .anonymousForbidden(path: path) }
            throw .anonymousForbidden(verb: Self.verb(request, resource: resource), kind: resource.kind,
                                      namespace: resource.namespace, name: resource.name)
        }
        guard header == "Bearer \(token)" else { throw .unauthorized }
    }

    static func verb(_ request: HTTPServerRequest, resource: KubeResourceTarget) -> String {
        switch request.method {
        case "GET":
            if resource.name != nil { return "get" }
            return KubeRequestTarget(request.path).flag("watch") == true ? "watch" : "list"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return resource.name == nil ? "deletecollection" : "delete"
        default: return request.method.lowercased()
        }
    }
}
