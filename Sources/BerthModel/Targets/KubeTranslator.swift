/// Kubernetes objects: each spec becomes objects (`KubeObjects`), decided by `KubeDecision`
/// with the namespace facts the target's adapter learnt from discovery.
public struct KubeTranslator: PlatformTranslator {
    public let platform = PlatformID.kubernetes
    public init() {}

    /// The list calls return objects a spec names whoever holds them: only those with this
    /// owner's label are berth's.
    public func isOwned(_ resource: ObservedResource, owner: String) -> Bool {
        resource.kubeOwner == owner && Labels.belongs(resource.native?["metadata"]?["labels"]?[Labels.target]?.stringValue, to: resource.target)
    }

    public func plan(_ input: TargetInput) -> TargetDecision {
        let result = KubeDecision.plan(target: input.target, specs: input.specs, observed: input.owned, context: input.context,
                                       facts: input.context.kubeFacts(input.target),
                                       others: KubeDecision.Others(input.observed, owner: input.context.owner))
        return TargetDecision(actions: result.actions, orphans: result.orphans, notes: result.notes, errors: result.errors,
                              clashingFiles: result.clashingFiles)
    }
}

/// What a Kubernetes target's discovery says: the context's namespace and which kinds are
/// namespaced (`namespacedKinds`, keyed by `KubeFacts.kindKey`; kinds not listed count as namespaced).
public struct KubeFacts: TargetFacts, Equatable {
    public var namespace: String
    public var namespacedKinds: [String: Bool]
    public init(namespace: String = "default", namespacedKinds: [String: Bool] = [:]) {
        self.namespace = namespace; self.namespacedKinds = namespacedKinds
    }

    /// "apps/v1/Deployment": the key of `isNamespaced`.
    public static func kindKey(apiVersion: String, kind: String) -> String { apiVersion + "/" + kind }

    /// Discovery's answer for a kind, nil when unknown.
    public func isNamespaced(apiVersion: String, kind: String) -> Bool? {
        namespacedKinds[KubeFacts.kindKey(apiVersion: apiVersion, kind: kind)]
    }
}

extension PlanContext {
    /// A target's Kubernetes facts (defaults when its adapter has given none).
    public func kubeFacts(_ target: TargetName) -> KubeFacts { facts[target] as? KubeFacts ?? KubeFacts() }

    /// A context whose implicit `kubernetes` target has these facts (tests, one-cluster callers).
    public init(owner: String, allowMassDelete: Bool = false, knownConfigs: [String: JSONValue] = [:],
                kubeNamespace: String, kubeIsNamespaced: [String: Bool] = [:]) {
        self.init(owner: owner, allowMassDelete: allowMassDelete, knownConfigs: knownConfigs)
        facts[.kubernetes] = KubeFacts(namespace: kubeNamespace, namespacedKinds: kubeIsNamespaced)
    }

    public init(owner: String, allowMassDelete: Bool = false, knownConfigs: [String: JSONValue] = [:], kubeIsNamespaced: [String: Bool]) {
        self.init(owner: owner, allowMassDelete: allowMassDelete, knownConfigs: knownConfigs)
        facts[.kubernetes] = KubeFacts(namespacedKinds: kubeIsNamespaced)
    }
}
