import BerthDocker
import BerthEngine
import BerthJSON
import BerthKube
import BerthModel
import BerthSource
import BerthSystem

/// observe -> plan, shared by `plan` and `apply`.
struct Reconcile {
    let settings: Settings
    let platforms: [any Platform]
    let desired: DesiredState
    let observed: [ObservedResource]
    let knownConfigs: [String: JSONValue]
    /// Targets that could not be observed, one line each; their specs are left out of the plan.
    let targetErrors: [String]
    /// The same, by target.
    let targetFailures: [TargetName: String]
    /// The names of those targets, which the plan says it leaves out.
    let unobservedTargets: [TargetName]
    /// Owner, recorded configurations and what platforms know (Kubernetes namespacing).
    let context: PlanContext
    /// Where berth had made something before this pass, and after it: saved by commands that act.
    let targetsMade: (before: Set<TargetName>, after: Set<TargetName>)
    /// The targets this pass asked (the others are used by nothing).
    let contacted: Set<TargetName>

    /// `progress` hears image pulls, imports and builds (one line per layer or build step).
    /// `retrying` hears each observation that failed for a passing reason and is tried again.
    /// A target that cannot be observed is named (`unobservedTargets`) and left out; the
    /// others are planned as usual.
    /// With `nothingAnswered` (plan and apply), no target answering at all is one error
    /// line per target and no plan: there is nothing to show but that.
    static func prepare(settings: Settings, registry: TargetRegistry, nothingAnswered: Bool = true,
                        retrying: @Sendable (String) -> Void = { _ in }) async throws -> Reconcile {
        FileDigestCache.shared.persist(at: settings.digestCachePath)
        var desired = try SpecFolder.load(settings.specsDirectory, policy: settings.policy, catalog: settings.catalog, stateDirectory: settings.stateDirectory)
        BindSources.check(&desired, local: BindSources.localTargets(settings))
        desired.suspended = SuspendStore.load(settings)
        // plan and status read the state folder (recorded configurations): same rules as
        // apply and watch, and nothing is created.
        try StateFolder.inspect(settings)
        let platforms = registry.platforms
        let made = TargetsStore.load(settings)
        // Observing gets the same retries as actions: one 503 on the listing must not end an apply.
        let observation = await Observation.run(platforms: platforms, owner: settings.owner, desired: desired,
                                                contact: Observation.contact(desired: desired, made: made),
                                                retry: RetryPolicy(), retrying: retrying)
        let lines = observation.failures.map { TargetErrors.line($0.target, $0.error, settings: settings) }
        // As berth v1 said it: no engine to talk to at all is one line per engine, no plan.
        if nothingAnswered, !observation.failures.isEmpty, observation.failures.count == observation.attempted.count,
           observation.failures.allSatisfy({
               ($0.error as? BerthError)?.code == .engineUnreachable && [.docker, .swarm].contains(settings.catalog.platform(of: $0.target))
           }) {
            throw BerthError(.engineUnreachable, lines.joined(separator: "\nberth: "))
        }
        let knownConfigs = ConfigStore.load(settings.configsPath)
        let nowMade = observation.made(previously: made)
        var start = PlanContext(owner: settings.owner, knownConfigs: knownConfigs)
        start.secretKey = try FingerprintKey.load(stateDirectory: settings.stateDirectory)
        let failed = Set(observation.failures.map { $0.target })
        let context = await platforms.planContext(start, observed: observation.attempted.subtracting(failed))
        return Reconcile(settings: settings, platforms: platforms, desired: observation.desired, observed: observation.observed,
                         knownConfigs: knownConfigs, targetErrors: lines,
                         targetFailures: Dictionary(observation.failures.map { ($0.target, TargetErrors.cause($0.target, $0.error, settings: settings)) },
                                                    uniquingKeysWith: { a, _ in a }),
                         unobservedTargets: failed.sorted(), context: context,
                         targetsMade: (made, nowMade), contacted: observation.attempted)
    }

    /// What a person said on the command line: released deletions and the specs to act on.
    struct Choices {
        var allowMassDelete = false
        var allowMassCreate = false
        var allowDelete: Set<String> = []
        var selection: Set<SpecName>?

        init(_ arguments: Arguments) {
            allowMassDelete = arguments.flags.contains("allow-mass-delete")
            allowMassCreate = arguments.flags.contains("allow-mass-create")
            allowDelete = Set(arguments.lists["allow-delete", default: []])
            selection = arguments.positionals.isEmpty ? nil : Set(arguments.positionals.map { SpecName($0) })
        }

        init() {}
    }

    func plan(_ choices: Choices = Choices()) -> Plan {
        var context = self.context
        context.allowMassDelete = choices.allowMassDelete
        context.allowMassCreate = choices.allowMassCreate
        context.allowDelete = choices.allowDelete
        context.selection = choices.selection
        context.heldDeletions = HeldStore.load(settings)
        var plan = Planner.plan(desired: desired, observed: observed, context: context)
        plan.unplannedTargets = unobservedTargets.map(\.rawValue)
        plan.anyTargetContacted = !contacted.isEmpty
        plan.anyTargetObserved = contacted.isEmpty || !observedTargets.isEmpty
        return plan
    }

    /// The targets that were observed this pass.
    var observedTargets: Set<TargetName> { contacted.subtracting(unobservedTargets) }

    /// Spec names the command line gave that neither a spec nor anything berth manages has.
    func unknownNames(_ choices: Choices) throws {
        let names = Set(desired.specs.map(\.name)).union(observed.filter { !$0.isVolume }.compactMap(\.name))
        let asked = choices.selection ?? []
        for name in asked.union(choices.allowDelete.map { SpecName($0) }).sorted() where !names.contains(name) {
            throw BerthError(.usage, "no spec or managed resource is named \"\(name)\"" + Arguments.suggestion(name.rawValue, names.sorted().map(\.rawValue))
                + " (specs: \(Set(desired.specs.map(\.name)).sorted().map(\.rawValue).joined(separator: ", ")))")
        }
    }
}
