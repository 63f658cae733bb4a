import BerthModel

/// One engine berth can drive (Docker Engine, Swarm, Kubernetes). Adapters translate
/// between native API objects and the model; they never diff and never decide.
public protocol Platform: Sendable {
    /// The target this adapter serves ("docker", or berth.json's "edge-1").
    var target: TargetName { get }
    /// Which platform it is: the key of its translator.
    var platform: PlatformID { get }
    /// Every resource carrying `berth.owner=owner`, from one label-filtered list call.
    func observe(owner: String) async throws -> [ObservedResource]
    /// The same, for platforms whose observation depends on what is wanted (Kubernetes lists
    /// the kinds the specs use besides those it always looks at).
    func observe(owner: String, desired: DesiredState) async throws -> [ObservedResource]
    /// Carries out one planned action. Must be safe to call again after a partial failure.
    func perform(_ action: Action, owner: String) async throws
}

extension Platform {
    public func observe(owner: String, desired: DesiredState) async throws -> [ObservedResource] {
        try await observe(owner: owner)
    }

    public func perform(_ action: Action, owner: String) async throws {
        throw BerthError(.unsupported, "\(target) cannot \(action.op.rawValue) \(action.key.kind)s")
    }
}

/// Something happened to a managed resource (a container died, was removed, was changed
/// out of band): the controller re-reads and reconciles that spec, level-triggered.
public struct ResourceEvent: Sendable, Equatable {
    public var target: TargetName
    /// The spec name from the resource's berth.name label.
    public var name: SpecName
    /// What the engine said happened ("die", "destroy", "update"...).
    public var action: String
    public init(target: TargetName, name: SpecName, action: String) { self.target = target; self.name = name; self.action = action }
}

/// Platforms that can tell what changes as it happens implement this; the stream throws
/// or ends when the engine goes away, and the caller reconnects.
public protocol EventSource: Sendable {
    func events(owner: String) async throws -> AsyncThrowingStream<ResourceEvent, Error>
}

/// Platforms that know facts the pure planner needs (Kubernetes: the context's namespace and
/// which kinds are namespaced, learnt from discovery while observing) add them here, under
/// their own target in `PlanContext.facts`.
public protocol PlanningFacts: Sendable {
    func contribute(to context: PlanContext) async -> PlanContext
}

extension Array where Element == any Platform {
    /// The planning context with the facts of every platform observed this pass (nil: all).
    public func planContext(_ base: PlanContext, observed: Set<TargetName>? = nil) async -> PlanContext {
        var context = base
        for platform in self where observed?.contains(platform.target) ?? true {
            if let facts = platform as? any PlanningFacts { context = await facts.contribute(to: context) }
        }
        return context
    }
}

/// Platforms whose server can be asked cheaply whether it answers (Kubernetes: `/readyz`).
/// While such a target is unreachable the watch probes it every second or two, and
/// reconciles at once when it answers, instead of waiting out a backoff grown long.
public protocol ReachabilityProbe: Sendable {
    /// False at once when the server answers now (its failure is something else); otherwise
    /// probes until it answers and returns true, or returns false when cancelled.
    func waitUntilReachable() async -> Bool
}
