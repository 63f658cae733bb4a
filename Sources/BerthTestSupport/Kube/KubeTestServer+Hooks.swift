import BerthJSON

/// What a test does out of band: read objects, play the controller-manager or another
/// client (`kubectl scale`, a merge patch), delete, seed objects.
extension KubeTestServer {
    /// The object as a GET would return it; nil if there is none.
    public func object(_ kind: KubeResourceKind, namespace: String = "", name: String) -> JSONValue? {
        store.withLock { try? $0.get(KubeObjectKey(kind: kind, namespace: namespace, name: name)).rendered }
    }

    /// The Deployment as a GET would return it; nil if there is none.
    public func deployment(namespace: String, name: String) -> JSONValue? {
        object(.deployments, namespace: namespace, name: name)
    }

    /// Every object of a kind (in `namespace`, or all when nil), sorted by namespace and name.
    public func objects(_ kind: KubeResourceKind, namespace: String? = nil) -> [JSONValue] {
        store.withLock { $0.list(kind, namespace: namespace, filter: .everything).map(\.rendered) }
    }

    /// Writes a Deployment's status as the controller-manager would: a new resourceVersion,
    /// the same generation, a MODIFIED event, `kube-controller-manager` in managedFields for
    /// the status subresource; with `revision`, the `deployment.kubernetes.io/revision`
    /// annotation the real controller adds.
    @discardableResult
    public func setDeploymentStatus(namespace: String, name: String, status: JSONValue, revision: Int? = nil) throws -> JSONValue {
        try run { store throws(KubeStatus) in
            try store.setStatus(KubeObjectKey(kind: .deployments, namespace: namespace, name: name), status: status,
                                revision: revision).rendered
        }
    }

    /// Writes any object's status, as its controller would.
    @discardableResult
    public func setStatus(_ kind: KubeResourceKind, namespace: String = "", name: String, status: JSONValue) throws -> JSONValue {
        try run { store throws(KubeStatus) in try store.setStatus(KubeObjectKey(kind: kind, namespace: namespace, name: name), status: status).rendered }
    }

    /// A merge patch by another field manager, which takes the fields it changes.
    @discardableResult
    public func mergePatch(as manager: String, _ kind: KubeResourceKind, namespace: String = "", name: String,
                           patch: JSONValue) throws -> JSONValue {
        try run { store throws(KubeStatus) in try store.mergePatch(KubeObjectKey(kind: kind, namespace: namespace, name: name), patch: patch, manager: manager).rendered }
    }

    /// `kubectl scale`: sets spec.replicas of a Deployment as `manager`.
    @discardableResult
    public func scale(namespace: String, name: String, replicas: Int, as manager: String = "kubectl") throws -> JSONValue {
        try mergePatch(as: manager, .deployments, namespace: namespace, name: name,
                       patch: .object(["spec": .object(["replicas": .number(String(replicas))])]))
    }

    /// Deletes an object as another client would (Background unless told otherwise).
    public func delete(_ kind: KubeResourceKind, namespace: String = "", name: String, propagation: String = "Background") throws {
        _ = try run { store throws(KubeStatus) in try store.delete(KubeObjectKey(kind: kind, namespace: namespace, name: name), propagation: propagation) }
    }

    /// Server-side applies `object` as `manager` (force), e.g. to seed a cluster's state.
    @discardableResult
    public func apply(as manager: String, _ kind: KubeResourceKind, namespace: String = "", object: JSONValue) throws -> JSONValue {
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        return try run { store throws(KubeStatus) in try store.apply(KubeObjectKey(kind: kind, namespace: namespace, name: name), body: object, manager: manager,
                                      force: true).stored.rendered }
    }

    /// Creates a namespace (with its `kube-root-ca.crt` ConfigMap).
    @discardableResult
    public func createNamespace(_ name: String, labels: [String: String] = [:]) throws -> JSONValue {
        let body: JSONValue = .object(["metadata": .object(["name": .string(name),
                                                            "labels": .object(labels.mapValues { .string($0) })])])
        return try run { store throws(KubeStatus) in try store.createNamespaceLocked(name, body: body, manager: "kubectl-create").rendered }
    }

    private func run<Result>(_ body: (KubeStore) throws(KubeStatus) -> Result) throws(KubeTestServerError) -> Result {
        do {
            return try store.withLock(body)
        } catch {
            throw KubeTestServerError(error)
        }
    }
}

extension KubeResourceKind {
    private static func builtIn(_ plural: String) -> KubeResourceKind { builtIn.first { $0.plural == plural }! }
    /// v1 Namespace.
    public static let namespaces = builtIn("namespaces")
    /// v1 ConfigMap.
    public static let configMaps = builtIn("configmaps")
    /// v1 Secret.
    public static let secrets = builtIn("secrets")
    /// v1 Service.
    public static let services = builtIn("services")
    /// v1 Pod.
    public static let pods = builtIn("pods")
    /// apps/v1 Deployment.
    public static let deployments = builtIn("deployments")
    /// apps/v1 StatefulSet.
    public static let statefulSets = builtIn("statefulsets")
    /// apps/v1 DaemonSet.
    public static let daemonSets = builtIn("daemonsets")
    /// apps/v1 ReplicaSet.
    public static let replicaSets = builtIn("replicasets")
    /// batch/v1 Job.
    public static let jobs = builtIn("jobs")
    /// coordination.k8s.io/v1 Lease.
    public static let leases = builtIn("leases")
}
