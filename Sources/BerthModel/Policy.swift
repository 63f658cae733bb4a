/// What the operator allows specs to ask for, read from a file outside the specs folder
/// (`--policy FILE`): whoever can push a spec should not get root on the host or the cluster.
///
/// Everything risky is refused unless the policy allows it: host paths by listing folders,
/// the switchable rules by naming them in `allow`. Registries, namespaces and kinds are
/// open when not listed, except cluster-scoped kinds, which must be listed.
public struct Policy: Sendable, Equatable {
    /// Where the policy was read, named in every refusal.
    public var file: String
    /// Host folders binds and hostPath volumes may use (each with everything under it).
    public var hostPaths: [String]
    /// Folders outside the specs folder that build contexts and import tarballs may come from.
    public var buildRoots: [String]
    /// Registries (or registry/namespace prefixes) images may come from; nil: any.
    public var registries: [String]?
    /// Kubernetes namespaces specs may use; nil: any.
    public var namespaces: [String]?
    /// Kubernetes kinds specs may use, cluster-scoped ones included; nil: any namespaced kind.
    public var kinds: [String]?
    /// Switchable rules the operator turns off.
    public var allow: Set<PolicyRule>
    /// Build context limits (`buildContext`: `maxFiles`, `maxBytes`); nil: berth's defaults.
    public var maxContextFiles: Int?
    public var maxContextBytes: UInt64?

    public init(file: String = "<memory>", hostPaths: [String] = [], buildRoots: [String] = [], registries: [String]? = nil,
                namespaces: [String]? = nil, kinds: [String]? = nil, allow: Set<PolicyRule> = []) {
        self.file = file; self.hostPaths = hostPaths; self.buildRoots = buildRoots; self.registries = registries
        self.namespaces = namespaces; self.kinds = kinds; self.allow = allow
    }

    /// Kinds that live outside namespaces and so reach the whole cluster. Refused unless the
    /// policy lists them in `kinds`; custom resources whose scope berth cannot know without
    /// the cluster are judged by the `kinds` list alone.
    public static let clusterScopedKinds: Set<String> = [
        "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
        "StorageClass", "PriorityClass", "RuntimeClass", "IngressClass", "CSIDriver", "CSINode", "VolumeAttachment",
        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "APIService", "PodSecurityPolicy", "CertificateSigningRequest",
        "FlowSchema", "PriorityLevelConfiguration",
    ]

    /// Why the policy refuses `finding`, or nil when it allows it.
    public func refusal(_ finding: PolicyFinding) -> String? {
        let rule = "policy rule \"\(finding.rule.rawValue)\" of \(file)"
        switch finding.rule {
        case .hostPath:
            if Policy.isUnder(finding.subject, anyOf: hostPaths) { return nil }
            let listed = hostPaths.isEmpty ? "the policy lists no host paths" : "allowed: " + hostPaths.joined(separator: ", ")
            return "\(finding.what) is refused by \(rule) (\(listed)); add the folder to \"hostPaths\" or use a named volume"
        case .registry:
            guard let registries, !registries.contains(where: { Policy.isUnder(finding.subject, anyOf: [$0]) }) else { return nil }
            return "\(finding.what) is refused by \(rule): allowed registries are \(registries.joined(separator: ", "))"
        case .kubernetesNamespace:
            guard let namespaces, !namespaces.contains(finding.subject) else { return nil }
            if finding.subject.isEmpty {
                return "\(finding.what) names no namespace, and \(rule) allows only \(namespaces.joined(separator: ", ")); set \"namespace\""
            }
            return "\(finding.what) is refused by \(rule): allowed namespaces are \(namespaces.joined(separator: ", "))"
        case .kubernetesKind:
            if let kinds {
                if kinds.contains(finding.subject) { return nil }
                return "\(finding.what) is refused by \(rule): allowed kinds are \(kinds.joined(separator: ", "))"
            }
            guard Policy.clusterScopedKinds.contains(finding.subject) else { return nil }
            return "\(finding.what) is cluster-scoped and refused by \(rule); list it in \"kubernetes\": {\"kinds\": [...]} if it is meant"
        default:
            if allow.contains(finding.rule) { return nil }
            return "\(finding.what) is refused by \(rule); add \"\(finding.rule.rawValue)\" to the policy's \"allow\" list if it is meant"
        }
    }

    /// Whether `path` is one of `roots` or inside one, by whole path steps ("/srv/a" is not under "/srv/ab").
    public static func isUnder(_ path: String, anyOf roots: [String]) -> Bool {
        roots.contains { root in
            let trimmed = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
            return path == trimmed || path.hasPrefix(trimmed == "/" ? "/" : trimmed + "/")
        }
    }

    /// The findings as errors (refused by this policy), or, without a policy, as warnings
    /// for the risky ones.
    public static func judge(_ findings: [PolicyFinding], policy: Policy?) -> (errors: [SpecError], warnings: [SpecError]) {
        let findings = findings.sorted { $0.position < $1.position }
        guard let policy else {
            let risky = findings.filter { $0.rule.isRisky && ($0.rule != .kubernetesKind || clusterScopedKinds.contains($0.subject)) }
            return ([], risky.map(\.warning))
        }
        let errors = findings.compactMap { finding in
            policy.refusal(finding).map { SpecError(file: finding.file, path: finding.path, position: finding.position, message: $0) }
        }
        return (errors, [])
    }
}
