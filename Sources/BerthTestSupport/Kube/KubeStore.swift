import BerthJSON
import Foundation

/// One field manager's entry in an object's managedFields.
struct KubeManagedEntry: Sendable, Equatable {
    var manager: String
    /// "Apply" or "Update".
    var operation: String
    var apiVersion: String
    var time: String
    var subresource: String?
    var fields: Set<KubeFieldPath>

    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
            "time": .string(time), "fieldsType": .string("FieldsV1"), "fieldsV1": KubeFieldPath.fieldsV1(self.fields),
        ]
        if let subresource { fields["subresource"] = .string(subresource) }
        return .object(fields)
    }
}

/// An object as the store keeps it: the object without managedFields, and its managers.
struct KubeStoredObject: Sendable {
    var key: KubeObjectKey
    var object: JSONValue
    var managers: [KubeManagedEntry]

    /// The object as the API returns it: with kind, apiVersion and managedFields.
    var rendered: JSONValue {
        var fields = object.objectValue ?? [:]
        fields["kind"] = .string(key.kind.kind)
        fields["apiVersion"] = .string(key.kind.apiVersion)
        var metadata = fields["metadata"]?.objectValue ?? [:]
        let entries = managers.filter { !$0.fields.isEmpty }
        metadata["managedFields"] = entries.isEmpty ? nil : .array(entries.map(\.json))
        fields["metadata"] = .object(metadata)
        return .object(fields)
    }

    var resourceVersion: String { object["metadata"]?["resourceVersion"]?.stringValue ?? "" }
    var labels: [String: String] {
        (object["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}

/// One change, as watches replay it.
struct KubeChange: Sendable {
    var resourceVersion: Int
    /// ADDED, MODIFIED or DELETED.
    var type: String
    var key: KubeObjectKey
    var object: JSONValue
    var labels: [String: String]
    /// The labels before a MODIFIED change, so a watch can tell an object leaving its selection.
    var previousLabels: [String: String]?
}

/// The test server's state: objects per kind/namespace/name, the global resourceVersion
/// counter, the change history watches read, and the open watches. Every operation runs
/// under one lock, so a request sees and makes one consistent step.
final class KubeStore: @unchecked Sendable {
    struct State {
        var kinds: [KubeResourceKind] = KubeResourceKind.builtIn
        var objects: [KubeObjectKey: KubeStoredObject] = [:]
        var resourceVersion = 1
        var history: [KubeChange] = []
        /// Watches from a resourceVersion below this answer 410 Expired.
        var oldestWatchable = 1
        var watchers: [ObjectIdentifier: KubeWatcher] = [:]
        /// The objects of a kind as they were when a paginated list began, read by its later pages.
        var listSnapshots: [ListSnapshotKey: [KubeStoredObject]] = [:]
        /// Namespaces and foreground deletions waiting to finish, with when they finish on their own.
        var pendingFinalization: [KubeObjectKey: ContinuousClock.Instant] = [:]
        var clusterIPs = 0
        /// Kinds of CRDs written but not yet established, with when they will be.
        var establishing: [(kind: KubeResourceKind, due: ContinuousClock.Instant?)] = []
    }

    private let lock = NSLock()
    var state = State()
    /// Set while a dry run goes on: its changes reach no watch and are undone after.
    private var isDryRun = false
    /// Whether writes into a namespace that does not exist are refused (404) as the real server does.
    let checksNamespaces: Bool
    /// How long a terminating namespace or a foreground deletion lingers before it finishes by itself.
    let finalizationDelay: Duration
    /// How long a written CRD takes to be served; nil: until `establishCustomResources()`.
    let establishDelay: Duration?

    init(checksNamespaces: Bool, finalizationDelay: Duration, establishDelay: Duration?) {
        self.checksNamespaces = checksNamespaces
        self.finalizationDelay = finalizationDelay
        self.establishDelay = establishDelay
        withLock { store in
            for name in ["default", "kube-system", "kube-public"] {
                _ = try? store.createNamespaceLocked(name)
            }
        }
    }

    func withLock<Result, Failure: Error>(_ body: (KubeStore) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        finishDueFinalizations(force: false)
        establishDueKinds()
        return try body(self)
    }

    /// Runs a write as `?dryRun=All` asks: validated and answered like a real one, then undone.
    func dryRun<Result, Failure: Error>(_ body: (KubeStore) throws(Failure) -> Result) throws(Failure) -> Result {
        try withLock { store throws(Failure) in
            let saved = store.state
            store.isDryRun = true
            defer {
                store.state = saved
                store.isDryRun = false
            }
            return try body(store)
        }
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }

    func kind(group: String, version: String, plural: String) -> KubeResourceKind? {
        state.kinds.first { $0.group == group && $0.version == version && $0.plural == plural }
    }

    var namespaceKind: KubeResourceKind { state.kinds.first { $0.isNamespace }! }

    func namespaceKey(_ name: String) -> KubeObjectKey { KubeObjectKey(kind: namespaceKind, namespace: "", name: name) }

    /// Reads one object.
    func get(_ key: KubeObjectKey) throws(KubeStatus) -> KubeStoredObject {
        guard let stored = state.objects[key] else { throw .notFound(key.kind, name: key.name) }
        return stored
    }

    /// Objects of a kind in a namespace (nil: all), sorted by namespace and name, that `filter` selects.
    func list(_ kind: KubeResourceKind, namespace: String?, filter: KubeObjectFilter) -> [KubeStoredObject] {
        state.objects.values
            .filter { $0.key.kind == kind && (namespace == nil || $0.key.namespace == namespace) && filter.matches($0.key, labels: $0.labels) }
            .sorted { $0.key < $1.key }
    }

    /// Stores `stored` under a new resourceVersion and tells the watches.
    @discardableResult
    func commit(_ stored: KubeStoredObject, type: String) -> KubeStoredObject {
        state.resourceVersion += 1
        var stored = stored
        let previousLabels = state.objects[stored.key]?.labels
        stored.object = stamp(stored.object, resourceVersion: state.resourceVersion)
        if type == "DELETED" {
            state.objects[stored.key] = nil
            state.pendingFinalization[stored.key] = nil
        } else {
            state.objects[stored.key] = stored
        }
        noteCustomResourceDefinition(stored, type: type)
        let change = KubeChange(resourceVersion: state.resourceVersion, type: type, key: stored.key,
                                object: stored.rendered, labels: stored.labels, previousLabels: previousLabels)
        state.history.append(change)
        if !isDryRun {
            for watcher in state.watchers.values { watcher.offer(change) }
        }
        return stored
    }

    private func stamp(_ object: JSONValue, resourceVersion: Int) -> JSONValue {
        var fields = object.objectValue ?? [:]
        var metadata = fields["metadata"]?.objectValue ?? [:]
        metadata["resourceVersion"] = .string(String(resourceVersion))
        fields["metadata"] = .object(metadata)
        return .object(fields)
    }

    /// A namespace with what the real server adds, and the `kube-root-ca.crt` ConfigMap the
    /// controller-manager puts in every namespace.
    func createNamespaceLocked(_ name: String, body: JSONValue? = nil, manager: String = "kube-apiserver") throws(KubeStatus) -> KubeStoredObject {
        let key = namespaceKey(name)
        let object = body ?? .object(["metadata": .object(["name": .string(name)])])
        let created = try create(key, body: object, manager: manager)
        if let configMaps = state.kinds.first(where: { $0.group.isEmpty && $0.plural == "configmaps" }) {
            let rootCA: JSONValue = .object([
                "metadata": .object(["name": .string("kube-root-ca.crt"),
                                     "annotations": .object(["kubernetes.io/description": .string("Contains a CA bundle.")])]),
                "data": .object(["ca.crt": .string("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n")]),
            ])
            _ = try? create(KubeObjectKey(kind: configMaps, namespace: name, name: "kube-root-ca.crt"), body: rootCA,
                            manager: "kube-controller-manager")
        }
        return created
    }

    /// Refuses writes into a namespace that is missing or terminating.
    func checkNamespaceWritable(for key: KubeObjectKey) throws(KubeStatus) {
        guard key.kind.namespaced, checksNamespaces else { return }
        guard let namespace = state.objects[namespaceKey(key.namespace)] else {
            throw .notFound(namespaceKind, name: key.namespace)
        }
        if namespace.object["status"]?["phase"]?.stringValue == "Terminating" {
            throw .namespaceTerminating(key.kind, name: key.name, namespace: key.namespace)
        }
    }

    /// Finishes terminating namespaces and foreground deletions whose time has come (all with `force`).
    func finishDueFinalizations(force: Bool) {
        let now = ContinuousClock.now
        let due = state.pendingFinalization.filter { force || $0.value <= now }.map(\.key).sorted()
        for key in due {
            guard let stored = state.objects[key] else { continue }
            if key.kind.isNamespace {
                for inside in state.objects.values.filter({ $0.key.kind.namespaced && $0.key.namespace == key.name }) {
                    commit(inside, type: "DELETED")
                }
            }
            commit(stored, type: "DELETED")
        }
    }

    func allocateClusterIP() -> String {
        state.clusterIPs += 1
        return "10.96.\(state.clusterIPs / 250).\(state.clusterIPs % 250 + 1)"
    }
}
