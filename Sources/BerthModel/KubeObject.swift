/// One Kubernetes object berth wants to exist: what the adapter server-side applies as it is.
public struct KubeObject: Sendable, Equatable, CustomStringConvertible {
    /// Which object; `id.description` is the `ResourceKey.object` of its actions.
    public var id: KubeObjectID
    /// The complete object: berth's labels (`berth.owner`, `berth.name`) in metadata.labels,
    /// `berth.config-hash` in metadata.annotations.
    public var body: JSONValue
    /// sha256 of the object's canonical JSON without the hash annotation itself.
    public var configHash: String
    /// The spec that makes it, for messages (a duplicate names both files).
    public var origin: SpecOrigin

    /// The parts of `id`, for the adapter's request paths.
    public var apiVersion: String { id.apiVersion }
    public var kind: String { id.kind }
    public var namespace: String? { id.namespace }
    public var name: String { id.name }

    public var description: String { id.description }

    /// Hashes `body` and writes the hash into it as the `berth.config-hash` annotation.
    init(id: KubeObjectID, unhashed body: JSONValue, origin: SpecOrigin) {
        let hash = SHA256.hex(body.canonicalText)
        self.id = id
        self.body = body.merging(.object(["metadata": .object(["annotations": .object([Labels.configHash: .string(hash)])])]))
        self.configHash = hash
        self.origin = origin
    }
}

/// Which object: apiVersion, kind, namespace (nil when cluster-scoped) and name.
/// Written "apps/v1 Deployment default/web" or "v1 Namespace team-a".
public struct KubeObjectID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    public var namespace: String?
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String?, name: String) {
        self.apiVersion = apiVersion; self.kind = kind; self.namespace = namespace; self.name = name
    }

    /// Parses `description` back. Names, namespaces and kinds never contain spaces or '/'.
    public init?(parsing text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        let place = parts[2].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard place.count <= 2, place.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(apiVersion: parts[0], kind: parts[1], namespace: place.count == 2 ? place[0] : nil, name: place.last!)
    }

    /// The API group: "" for the core group ("v1"), "apps" for "apps/v1".
    public var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// What makes two objects the same object to the API server: the group, not the version
    /// ("apps/v1" and "apps/v1beta2" Deployments named alike are one object).
    public var identity: String { "\(group)/\(kind) \(namespace ?? "")/\(name)" }

    public var description: String { "\(apiVersion) \(kind) " + (namespace.map { "\($0)/" } ?? "") + name }

    public static func < (a: KubeObjectID, b: KubeObjectID) -> Bool { a.description < b.description }
}

/// One entry of a spec's `manifests`, with where it was written.
public struct KubeManifest: Sendable, Equatable {
    /// The object as written, validated to have apiVersion, kind and metadata.name.
    public var object: JSONValue
    /// Where it was written (`$.manifests[2]`), for messages about it.
    public var path: JSONPath
    public var position: JSONPosition

    public init(object: JSONValue, path: JSONPath = .root, position: JSONPosition = JSONPosition(line: 1, column: 1)) {
        self.object = object; self.path = path; self.position = position
    }

    /// The validated identity fields as written; namespace is nil when the manifest names none.
    public var apiVersion: String { object["apiVersion"]?.stringValue ?? "" }
    public var kind: String { object["kind"]?.stringValue ?? "" }
    public var name: String { object["metadata"]?["name"]?.stringValue ?? "" }
    public var namespace: String? { object["metadata"]?["namespace"]?.stringValue }
}
