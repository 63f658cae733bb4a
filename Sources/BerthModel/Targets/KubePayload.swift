/// Kubernetes only: the namespace, a fragment merged over the generated Deployment, complete
/// manifests, and whether objects that exist without berth's labels may be taken over.
public struct KubePayload: SpecPayload, Equatable {
    public var namespace: String?
    public var fragment: JSONValue?
    public var manifests: [KubeManifest] = []
    public var adopt = false
    public init() {}
    public var isEmpty: Bool { namespace == nil && fragment == nil && manifests.isEmpty && !adopt }
    public func canonical(into object: inout [String: JSONValue], mask: SecretMask?) {
        if let namespace { object["namespace"] = .string(namespace) }
        if let fragment { object["kubernetes"] = mask.map { KubeSecrets.fingerprinted(fragment, mask: $0) } ?? fragment }
        if !manifests.isEmpty {
            object["manifests"] = .array(manifests.map { m in mask.map { KubeSecrets.fingerprinted(m.object, mask: $0) } ?? m.object })
        }
    }
}

extension Spec {
    private var kubePayload: KubePayload {
        get { payloads[KubePayload.self, .kubernetes] ?? KubePayload() }
        set { payloads[KubePayload.self, .kubernetes] = newValue }
    }
    /// Kubernetes only: the namespace of the generated objects and of manifests that name
    /// none; nil means the kubeconfig context's namespace (else "default").
    public var namespace: String? { get { kubePayload.namespace } set { kubePayload.namespace = newValue } }
    /// Kubernetes only: a fragment merged over the generated apps/v1 Deployment.
    public var kubernetes: JSONValue? { get { kubePayload.fragment } set { kubePayload.fragment = newValue } }
    /// Kubernetes only: complete objects of any kind, applied as written plus berth's labels.
    public var manifests: [KubeManifest] { get { kubePayload.manifests } set { kubePayload.manifests = newValue } }
    /// Kubernetes only: take over objects of this spec that exist without berth's labels.
    /// Without it such an object is an error: berth never touches what is not its own.
    public var adopt: Bool { get { kubePayload.adopt } set { kubePayload.adopt = newValue } }
}
