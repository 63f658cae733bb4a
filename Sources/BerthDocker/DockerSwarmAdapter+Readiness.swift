import BerthEngine
import BerthModel

/// A service's tasks converged on its current spec (swarmkit counts a task with a health
/// check as running only once it is healthy): ready for dependents.
extension DockerSwarmAdapter: ReadinessCheck {
    public func readiness(of spec: Spec, owner: String) async throws -> Readiness {
        let name = ServiceBody.name(owner: owner, spec: spec.name, target: spec.target)
        switch try await rolloutState(of: name, replicas: spec.mode == .global ? nil : spec.replicas) {
        case .converged(let text): return .ready(text)
        case .failed(let why): return .failed("service \(name): \(why)")
        case .waiting(let text): return .waiting("service \(name): \(text)")
        }
    }
}
