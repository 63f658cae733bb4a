import BerthModel

/// One engine berth can drive (Docker Engine, Swarm, Kubernetes). Adapters translate
/// between native API objects and the model; they never diff and never decide.
public protocol Platform: Sendable {
    /// The spec `target` this platform serves, e.g. "docker".
    var target: String { get }
    /// Every resource carrying `berth.owner=owner`, from one label-filtered list call.
    func observe(owner: String) async throws -> [ObservedResource]
    /// Carries out one planned action. Must be safe to call again after a partial failure.
    func perform(_ action: Action, owner: String) async throws
}

extension Platform {
    public func perform(_ action: Action, owner: String) async throws {
        throw BerthError(.unsupported, "\(target) cannot \(action.op.rawValue) \(action.key.kind)s")
    }
}
