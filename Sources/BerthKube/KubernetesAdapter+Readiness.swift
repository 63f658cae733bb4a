import BerthEngine
import BerthModel

/// A spec's Deployments rolled out: ready for dependents on any target. A spec of manifests
/// without a Deployment is ready once applied.
extension KubernetesAdapter: ReadinessCheck {
    public func readiness(of spec: Spec, owner: String) async throws -> Readiness {
        let objects = KubeObjects.make(spec: spec, owner: owner, defaultNamespace: defaultNamespace,
                                       isNamespaced: { _, _ in true })
        var said: [String] = []
        for id in objects.map(\.id).filter({ $0.kind == "Deployment" && $0.group == "apps" }).sorted() {
            guard let rollout = try await rollout(of: id) else { return .waiting("\(id) is not there yet") }
            switch rollout.phase {
            case .complete: said.append("\(id): \(rollout.message)")
            case .stalled: return .failed("rollout of \(id) stalled: \(rollout.message)")
            case .pending, .progressing: return .waiting("\(id): \(rollout.message)")
            }
        }
        return .ready(said.joined(separator: "; "))
    }
}

/// The target the executor holds is the connector, not the adapter: a `dependsOn` on a
/// Kubernetes spec waits for its rollouts through the connected adapter.
extension KubePlatform: ReadinessCheck {
    public func readiness(of spec: Spec, owner: String) async throws -> Readiness {
        try await adapter().readiness(of: spec, owner: owner)
    }
}
