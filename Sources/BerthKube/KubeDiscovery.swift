import BerthJSON
import BerthModel

/// One kind the API serves: its plural resource name and whether it lives in namespaces.
public struct KubeResourceType: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var plural: String
    public var namespaced: Bool

    /// "/api/v1" for the core group, "/apis/GROUP/VERSION" otherwise.
    public var groupVersionPath: String { apiVersion.contains("/") ? "/apis/\(apiVersion)" : "/api/\(apiVersion)" }

    /// The collection: in one namespace, or across all of them (namespace nil).
    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace { return "\(groupVersionPath)/namespaces/\(namespace)/\(plural)" }
        return "\(groupVersionPath)/\(plural)"
    }

    public func objectPath(namespace: String?, name: String) -> String {
        collectionPath(namespace: namespaced ? namespace : nil) + "/" + name
    }
}

/// Resource paths and scopes from the API's own discovery documents, not from a table:
/// custom resources work like built-in kinds. Each group/version is asked once per process,
/// and asked again when a kind is missing (a CRD installed since).
public actor KubeDiscovery {
    let client: KubeClient
    private var byGroupVersion: [String: [String: KubeResourceType]] = [:]

    public init(client: KubeClient) { self.client = client }

    /// The kind's type, or nil when the server does not serve it (group/version or kind unknown).
    public func type(apiVersion: String, kind: String) async throws -> KubeResourceType? {
        if let known = byGroupVersion[apiVersion]?[kind] { return known }
        let fetched = try await fetch(apiVersion)
        byGroupVersion[apiVersion] = fetched
        return fetched[kind]
    }

    /// What is already known, for the planner's namespacing (no I/O).
    public func known() -> [String: Bool] {
        var out: [String: Bool] = [:]
        for types in byGroupVersion.values { for t in types.values { out[t.apiVersion + "/" + t.kind] = t.namespaced } }
        return out
    }

    private func fetch(_ apiVersion: String) async throws -> [String: KubeResourceType] {
        let probe = KubeResourceType(apiVersion: apiVersion, kind: "", plural: "", namespaced: false)
        let (status, body) = try await client.request(
            "GET", probe.groupVersionPath, doing: "discovering the resources of \(apiVersion)", accept: [404])
        guard status != 404 else { return [:] }
        var out: [String: KubeResourceType] = [:]
        for resource in body?["resources"]?.arrayValue ?? [] {
            // Subresources ("deployments/status") share the kind; the plain resource is the one.
            guard let name = resource["name"]?.stringValue, !name.contains("/"),
                  let kind = resource["kind"]?.stringValue, out[kind] == nil else { continue }
            out[kind] = KubeResourceType(apiVersion: apiVersion, kind: kind, plural: name,
                                         namespaced: resource["namespaced"]?.boolValue ?? true)
        }
        return out
    }
}
