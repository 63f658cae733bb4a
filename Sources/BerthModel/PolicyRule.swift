/// The things a spec may ask for that give whoever wrote it power over the host or the
/// cluster, in the spirit of Kubernetes Pod Security "baseline": each risky field a spec
/// holds is found as a `PolicyFinding` under one of these rules.
public enum PolicyRule: String, Sendable, CaseIterable, Comparable {
    /// A bind mount or hostPath volume of a host folder.
    case hostPath = "host-path"
    /// A privileged container.
    case privileged
    /// Capabilities added beyond the engine's default set.
    case capabilities
    /// The host's PID, IPC, network, user or UTS namespace.
    case hostNamespaces = "host-namespaces"
    /// Host devices passed into the container.
    case devices
    /// seccomp, AppArmor or SELinux switched off.
    case unconfined
    /// The Docker socket (or a folder holding it) mounted into the container: root on the host.
    case dockerSocket = "docker-socket"
    /// An image from a registry the policy does not list.
    case registry
    /// A Kubernetes namespace the policy does not list.
    case kubernetesNamespace = "kubernetes-namespace"
    /// A Kubernetes kind the policy does not list (cluster-scoped kinds when it lists none).
    case kubernetesKind = "kubernetes-kind"

    public static func < (a: PolicyRule, b: PolicyRule) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Rules the operator may switch off by name in the policy's `allow` list. The lists
    /// (host paths, registries, namespaces, kinds) are relaxed by listing what is allowed.
    public static let switchable: [PolicyRule] = [.privileged, .capabilities, .hostNamespaces, .devices, .unconfined, .dockerSocket]

    /// Whether a spec is risky for holding the field at all, so that `plan` warns about it
    /// when no policy is set. An image's registry or a namespace is not a risk by itself.
    var isRisky: Bool {
        switch self {
        case .registry, .kubernetesNamespace: false
        default: true
        }
    }
}

/// One risky field of a spec: what it is, the value that matters to the policy (a host
/// path, a registry, a namespace, a kind, a capability) and where it was written.
public struct PolicyFinding: Sendable, Equatable {
    public var rule: PolicyRule
    /// The value the policy's lists are matched against; "" when the rule has no list.
    public var subject: String
    /// What the field asks for, in words: `privileged container`, `bind of host path /srv`.
    public var what: String
    public var file: String
    public var path: JSONPath
    public var position: JSONPosition

    public init(rule: PolicyRule, subject: String = "", what: String, file: String, path: JSONPath, position: JSONPosition) {
        self.rule = rule; self.subject = subject; self.what = what; self.file = file; self.path = path; self.position = position
    }

    /// The warning `plan` shows when no policy is set.
    public var warning: SpecError {
        SpecError(file: file, path: path, position: position,
                  message: "warning: \(what) (policy rule \"\(rule.rawValue)\"); an operator's --policy file can refuse it")
    }
}
