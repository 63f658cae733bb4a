import BerthJSON

/// One kind of object the Kubernetes test server serves: where it lives in the API
/// (group, version, plural) and how it behaves (namespaced, counts generations).
public struct KubeResourceKind: Sendable, Hashable {
    /// The API group; "" for the core group (`/api/v1`).
    public var group: String
    /// The version, e.g. "v1".
    public var version: String
    /// The Kind, e.g. "Deployment".
    public var kind: String
    /// The plural resource name used in paths, e.g. "deployments".
    public var plural: String
    /// Whether objects live in namespaces.
    public var namespaced: Bool
    /// Whether `metadata.generation` is kept (workloads and custom resources; not core objects).
    public var hasGeneration: Bool
    /// Short names as discovery lists them.
    public var shortNames: [String]

    /// Describes a kind; `singular` defaults to the lowercased Kind.
    public init(group: String, version: String, kind: String, plural: String, namespaced: Bool,
                hasGeneration: Bool = true, shortNames: [String] = []) {
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
        self.hasGeneration = hasGeneration
        self.shortNames = shortNames
    }

    /// "apps/v1", or "v1" for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// "deployments.apps", or "configmaps" for the core group, as error messages name it.
    public var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// The lowercased Kind, as discovery's singularName.
    public var singular: String { kind.lowercased() }

    /// Whether this is the Namespace kind, which the server treats specially.
    var isNamespace: Bool { group.isEmpty && plural == "namespaces" }

    /// Whether this is apps/v1 Deployment, which has extra validation and generation rules.
    var isDeployment: Bool { group == "apps" && plural == "deployments" }

    /// The kinds berth needs, as kube-apiserver v1.28 serves them.
    public static let builtIn: [KubeResourceKind] = [
        KubeResourceKind(group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false,
                         hasGeneration: false, shortNames: ["ns"]),
        KubeResourceKind(group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true,
                         hasGeneration: false, shortNames: ["cm"]),
        KubeResourceKind(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true, hasGeneration: false),
        KubeResourceKind(group: "", version: "v1", kind: "Service", plural: "services", namespaced: true,
                         hasGeneration: false, shortNames: ["svc"]),
        KubeResourceKind(group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true,
                         hasGeneration: false, shortNames: ["po"]),
        KubeResourceKind(group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true, shortNames: ["ds"]),
        KubeResourceKind(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true,
                         shortNames: ["deploy"]),
        KubeResourceKind(group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true, shortNames: ["rs"]),
        KubeResourceKind(group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true,
                         shortNames: ["sts"]),
        KubeResourceKind(group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true),
        KubeResourceKind(group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true,
                         hasGeneration: false),
        KubeResourceKind(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
                         plural: "customresourcedefinitions", namespaced: false, shortNames: ["crd", "crds"]),
    ]
}

/// Where one object lives: its kind, namespace ("" when cluster-scoped) and name.
struct KubeObjectKey: Hashable, Sendable, Comparable {
    var kind: KubeResourceKind
    var namespace: String
    var name: String

    static func < (a: KubeObjectKey, b: KubeObjectKey) -> Bool {
        (a.namespace, a.name) < (b.namespace, b.name)
    }
}
