import BerthEngine
import BerthHTTP
import BerthJSON
import BerthModel
import FoundationEssentials

/// `target: kubernetes`: observes every object carrying the owner label among the kinds berth
/// uses, applies objects with server-side apply and prunes with background propagation.
/// It translates and never decides: the planner chose what to apply and what to delete.
public final class KubernetesAdapter: Platform, Sendable {
    public let target: TargetName
    public let platform = PlatformID.kubernetes
    public let client: KubeClient
    public let discovery: KubeDiscovery
    /// The namespace of specs and manifests that name none: the kubeconfig context's.
    public let defaultNamespace: String
    /// Objects asked for per list request (`limit`); 0 lists each kind in one request.
    public let pageSize: Int
    let kinds: KubeKindMemory

    /// Kinds looked at on every pass, so a pruned spec's objects are found without a record.
    public static let alwaysObserved: [KubeKind] = [
        KubeKind("apps/v1", "Deployment"), KubeKind("v1", "Service"), KubeKind("v1", "ConfigMap"), KubeKind("v1", "Secret"),
        KubeKind("apps/v1", "StatefulSet"), KubeKind("apps/v1", "DaemonSet"),
    ]

    /// How long a create waits for an object being deleted (a terminating namespace) to go:
    /// a namespace's controller empties it first, which takes seconds to minutes.
    public static let terminationWait: Duration = .seconds(180)
    static let terminationPoll: Duration = .milliseconds(500)

    /// kubectl's and client-go's page size: big enough that most lists are one request, small
    /// enough that a namespace of thousands of objects does not come as one huge answer.
    public static let defaultPageSize = 500

    public init(client: KubeClient, defaultNamespace: String, kindsFile: String?, pageSize: Int = KubernetesAdapter.defaultPageSize,
                target: TargetName = .kubernetes) {
        self.client = client
        self.target = target
        self.discovery = KubeDiscovery(client: client)
        self.defaultNamespace = defaultNamespace
        self.pageSize = pageSize
        self.kinds = KubeKindMemory(path: kindsFile)
    }

    /// The one-berth-per-owner Lease in the context's namespace (see `KubeLease`).
    public var lease: KubeLease { KubeLease(client: client, namespace: defaultNamespace) }

    public func observe(owner: String) async throws -> [ObservedResource] {
        try await observe(owner: owner, desired: DesiredState(specs: []))
    }

    public func observe(owner: String, desired: DesiredState) async throws -> [ObservedResource] {
        let wanted = KubernetesAdapter.kinds(of: desired, target: target)
        let remembered = kinds.remembered()
        // Nothing wanted here and nothing ever applied from this state folder: there is
        // nothing to find, so the cluster is not asked (it may not even be reachable).
        if remembered.isEmpty && !desired.specs.contains(where: { $0.target == target }) { return [] }
        let all = Set(KubernetesAdapter.alwaysObserved + remembered + wanted).sorted()
        var found: [ObservedResource] = []
        for kind in all {
            // A kind the server does not serve (a CRD not installed yet) has nothing of ours.
            guard let type = try await discovery.type(apiVersion: kind.apiVersion, kind: kind.kind) else { continue }
            found += try await list(type, owner: owner).objects.map {
                ObservedResource.kubernetes(object: $0, apiVersion: type.apiVersion, kind: type.kind, target: target)
            }
        }
        kinds.remember(wanted)
        return found + (try await unlisted(desired: desired, owner: owner, found: found))
    }

    public func perform(_ action: Action, owner: String) async throws {
        switch action.op {
        case .create, .update, .replace, .adopt:
            guard let object = action.native else {
                throw BerthError(.unsupported, "\(action.op.rawValue) \(action.key): no object to apply")
            }
            let doing = (action.op == .adopt ? "taking over " : "applying ") + KubernetesAdapter.describe(object) + KubernetesAdapter.origin(action)
            if action.op == .create, let id = action.key.object {
                try await prepareCreate(id, owner: owner, doing: doing)
            }
            try await apply(object, doing: doing)
        case .delete:
            guard let id = action.key.object else {
                throw BerthError(.unsupported, "delete \(action.key): the key names no Kubernetes object")
            }
            try await delete(id, uid: action.native?["metadata"]?["uid"]?.stringValue)
        case .start, .stop:
            throw BerthError(.unsupported, "kubernetes objects are not started: the cluster runs them")
        case .release:
            guard let id = action.key.object, let patch = action.native else {
                throw BerthError(.unsupported, "release \(action.key): the key names no Kubernetes object")
            }
            try await release(id, patch: patch)
        }
    }

    func apply(_ object: JSONValue, doing: String) async throws {
        let apiVersion = object["apiVersion"]?.stringValue ?? "", kind = object["kind"]?.stringValue ?? ""
        let meta = object["metadata"]
        guard let name = meta?["name"]?.stringValue else { throw BerthError(.invalidSpec, doing, cause: "the object has no metadata.name") }
        guard let type = try await discovery.type(apiVersion: apiVersion, kind: kind) else {
            // Worth the executor's backoff: the CustomResourceDefinition of this kind may be one
            // applied beside it, which the server serves only once it is established.
            throw BerthError(.invalidSpec, doing, cause: "the API server does not serve kind \(kind) in \(apiVersion)",
                             isRetryable: true)
        }
        let namespace = meta?["namespace"]?.stringValue ?? defaultNamespace
        let path = type.objectPath(namespace: namespace, name: name) + "?fieldManager=berth&force=true"
        kinds.remember([KubeKind(apiVersion, kind)])
        do {
            _ = try await client.request("PATCH", path, body: object, contentType: "application/apply-patch+yaml", doing: doing)
        } catch let error as BerthError where type.namespaced && error.isNamespaceTerminating {
            // The namespace is being deleted: wait for it to go; the retry finds it missing
            // (worth the executor's backoff) until the Namespace is made again.
            try await waitUntilGone(KubeObjectID(apiVersion: "v1", kind: "Namespace", namespace: nil, name: namespace), doing: doing)
            throw BerthError(.notFound, doing, cause: "namespace \(namespace) was being deleted and is gone now; "
                             + "applied again once it is made again", isRetryable: true, status: 404)
        }
    }

    /// `"prune": false`: removes berth's labels and annotations with a JSON merge patch; the
    /// object stays as it is otherwise. Gone already is fine.
    func release(_ id: KubeObjectID, patch: JSONValue) async throws {
        guard let type = try await discovery.type(apiVersion: id.apiVersion, kind: id.kind) else { return }
        let path = type.objectPath(namespace: id.namespace, name: id.name) + "?fieldManager=berth"
        _ = try await client.request("PATCH", path, body: patch, contentType: "application/merge-patch+json",
                                     doing: "releasing \(id) (prune: false)", accept: [404])
    }

    /// Deletes the object; with `uid`, only if it is still the object observed (a precondition),
    /// so one that someone else made in its place since is never deleted.
    func delete(_ id: KubeObjectID, uid: String? = nil) async throws {
        guard let type = try await discovery.type(apiVersion: id.apiVersion, kind: id.kind) else { return }
        let path = type.objectPath(namespace: id.namespace, name: id.name) + "?propagationPolicy=Background"
        let options: JSONValue? = uid.map {
            .object(["apiVersion": .string("v1"), "kind": .string("DeleteOptions"), "preconditions": .object(["uid": .string($0)])])
        }
        // Already gone is what was wanted.
        let (status, _) = try await client.request("DELETE", path, body: options, doing: "deleting \(id)", accept: [404, 409])
        if status == 409 {
            throw BerthError(.conflict, "deleting \(id)", cause: "it was replaced since berth looked (another uid): the new object is "
                             + "not the one berth made, so it is left alone")
        }
    }

    /// The Deployments among the objects, read now, for rollout status and `apply --wait`.
    public func rollout(of id: KubeObjectID) async throws -> KubeRollout? {
        guard let type = try await discovery.type(apiVersion: id.apiVersion, kind: id.kind) else { return nil }
        let (status, body) = try await client.request(
            "GET", type.objectPath(namespace: id.namespace, name: id.name), doing: "reading the rollout of \(id)", accept: [404])
        guard status != 404, let body else { return nil }
        return KubeRollout(deployment: body, object: id.description)
    }

    /// How often an unreachable server's `/readyz` is asked.
    public static let probeInterval: Duration = .milliseconds(1500)

    /// False at once if the server answers; else probes `/readyz` every `probeInterval`
    /// until it does (true), or until the task is cancelled (false).
    public func waitUntilReachable() async -> Bool {
        if await client.isReady() { return false }
        while !Task.isCancelled {
            try? await Task.sleep(for: KubernetesAdapter.probeInterval)
            if await client.isReady() { return true }
        }
        return false
    }

    static func selector(_ owner: String) -> String { "berth.owner%3D" + owner }

    static func describe(_ object: JSONValue) -> String {
        let meta = object["metadata"]
        let where_ = meta?["namespace"]?.stringValue.map { "\($0)/" } ?? ""
        return "\(object["apiVersion"]?.stringValue ?? "?") \(object["kind"]?.stringValue ?? "?") \(where_)\(meta?["name"]?.stringValue ?? "?")"
    }

    /// The spec and where the object is written: the manifest's line, else the spec's.
    static func origin(_ action: Action) -> String {
        guard let spec = action.spec else { return "" }
        let id = action.key.object
        let manifest = spec.manifests.first { $0.apiVersion == id?.apiVersion && $0.kind == id?.kind && $0.name == id?.name }
        return " (spec \(spec.name), \(spec.origin.file):\(manifest?.position ?? spec.origin.position))"
    }

    /// The kinds the specs make: a Deployment and a Service for a portable spec, and each manifest's.
    static func kinds(of desired: DesiredState, target: TargetName = .kubernetes) -> [KubeKind] {
        var out: Set<KubeKind> = []
        for spec in desired.specs where spec.target == target {
            for manifest in spec.manifests { out.insert(KubeKind(manifest.apiVersion, manifest.kind)) }
        }
        return out.sorted()
    }
}

extension KubernetesAdapter: PlanningFacts {
    /// The context's namespace and what discovery has learnt of kinds' scopes while observing.
    public func contribute(to context: PlanContext) async -> PlanContext {
        var context = context
        var facts = context.kubeFacts(target)
        facts.namespace = defaultNamespace
        facts.namespacedKinds.merge(await discovery.known()) { _, new in new }
        context.facts[target] = facts
        return context
    }
}
