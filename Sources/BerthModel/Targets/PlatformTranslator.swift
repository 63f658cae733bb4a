/// The pure half of a platform: given one target's specs and what was observed there, what
/// to do. The planner looks a translator up by the target's platform, never by its name, so
/// a platform is added by registering one more translator (see `PlatformTranslators`).
public protocol PlatformTranslator: Sendable {
    var platform: PlatformID { get }
    /// Whether an observed resource is this owner's to act on (Kubernetes lists objects a spec
    /// names whoever holds them; only those carrying the owner's label are berth's).
    func isOwned(_ resource: ObservedResource, owner: String) -> Bool
    /// The decisions for one target. `input.owned` is what is berth's there and identified;
    /// `input.observed` everything the adapter returned (for objects held by others).
    func plan(_ input: TargetInput) -> TargetDecision
}

extension PlatformTranslator {
    public func isOwned(_ resource: ObservedResource, owner: String) -> Bool { true }
}

/// One target's share of a planning pass.
public struct TargetInput: Sendable {
    public var target: TargetName
    /// The target's specs, less suspended ones.
    public var specs: [Spec]
    /// Identified resources of this owner there, not being removed, not of suspended specs.
    public var owned: [ObservedResource]
    /// Everything observed there.
    public var observed: [ObservedResource]
    public var context: PlanContext
    public init(target: TargetName, specs: [Spec], owned: [ObservedResource], observed: [ObservedResource], context: PlanContext) {
        self.target = target; self.specs = specs; self.owned = owned; self.observed = observed; self.context = context
    }
}

/// What a translator decided for one target.
public struct TargetDecision: Sendable {
    public var actions: [Action] = []
    /// Deletions of removed specs' resources: the planner's deletion guard weighs them.
    public var orphans: [Action] = []
    public var notes: [String] = []
    public var errors: [SpecError] = []
    public var blocked: [BlockedSpec] = []
    /// Files whose specs clash with another's: treated like invalid files (nothing pruned).
    public var clashingFiles: [String] = []
    public init(actions: [Action] = [], orphans: [Action] = [], notes: [String] = [], errors: [SpecError] = [],
                blocked: [BlockedSpec] = [], clashingFiles: [String] = []) {
        self.actions = actions; self.orphans = orphans; self.notes = notes; self.errors = errors
        self.blocked = blocked; self.clashingFiles = clashingFiles
    }
}

/// The translators by platform: the standard three, and whatever a caller adds.
public struct PlatformTranslators: Sendable {
    public private(set) var byPlatform: [PlatformID: any PlatformTranslator]

    public init(_ translators: [any PlatformTranslator]) {
        byPlatform = Dictionary(translators.map { ($0.platform, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Docker containers, Swarm services, Kubernetes objects.
    public static let standard = PlatformTranslators([DockerTranslator(), SwarmTranslator(), KubeTranslator()])

    public func adding(_ translator: any PlatformTranslator) -> PlatformTranslators {
        var copy = self
        copy.byPlatform[translator.platform] = translator
        return copy
    }

    public subscript(_ platform: PlatformID) -> (any PlatformTranslator)? { byPlatform[platform] }
    public var platforms: Set<PlatformID> { Set(byPlatform.keys) }
}

/// Facts a platform learns while observing that its translator needs (Kubernetes: the
/// context's namespace and which kinds are namespaced), kept per target in `PlanContext.facts`.
public protocol TargetFacts: Sendable {}
