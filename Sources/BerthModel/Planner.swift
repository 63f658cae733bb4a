/// What the planner needs besides the two states.
public struct PlanContext: Sendable {
    public var owner: String
    public var allowMassDelete: Bool
    /// Fingerprinted canonical configurations by config hash, for field diffs of replacements.
    public var knownConfigs: [String: JSONValue]
    /// What each target's platform learnt while observing (`TargetFacts`), by target.
    public var facts: [TargetName: any TargetFacts] = [:]
    /// The translators by platform: the standard three unless a caller registers more.
    public var translators = PlatformTranslators.standard
    /// What the guard held on earlier passes, and what a person released since.
    public var heldDeletions = HeldDeletions()
    /// Removed specs whose deletion this run may carry out (`apply --allow-delete NAME`).
    public var allowDelete: Set<String> = []
    /// Only these spec names are planned (`plan web worker`); nil plans everything.
    public var selection: Set<String>?
    /// The state folder's fingerprint key: secret values in diffs are shown as HMACs under it.
    public var secretKey: [UInt8] = []
    /// Let a plan create more than `MassCreateGuard.limit` at once (`--allow-mass-create`).
    public var allowMassCreate = false

    public init(owner: String, allowMassDelete: Bool = false, knownConfigs: [String: JSONValue] = [:]) {
        self.owner = owner; self.allowMassDelete = allowMassDelete; self.knownConfigs = knownConfigs
    }
}

/// Desired state + observed state -> plan. Pure and synchronous: no I/O, no clock, so every
/// decision can be tested as a table. Each target is planned by its platform's translator;
/// what is shared (suspension, the deletion guard, selection, the mass-create guard) is here.
public enum Planner {
    public static func plan(desired: DesiredState, observed: [ObservedResource], context: PlanContext) -> Plan {
        var actions: [Action] = []
        var orphans: [Action] = []
        var notes: [String] = []
        var blocked: [BlockedSpec] = []
        var errors: [SpecError] = []
        var clashing: [String] = []

        // Suspended specs (`"suspend": true`, `berth suspend NAME`) are left out whole: no
        // action, no healing, and no deletion of a suspended spec whose file was removed.
        let suspended = desired.suspended.union(desired.specs.filter(\.suspend).map(\.name))
        var owned: [ObservedResource] = []
        var observedByTarget: [TargetName: [ObservedResource]] = [:]
        var platformOf: [TargetName: PlatformID] = [:]
        for resource in observed {
            observedByTarget[resource.target, default: []].append(resource)
            platformOf[resource.target] = platformOf[resource.target] ?? resource.platform
        }
        let planned = desired.specs.filter { !suspended.contains($0.name) }
        let specsByTarget = Dictionary(grouping: planned, by: \.target)
        for spec in planned { platformOf[spec.target] = spec.platform }
        var suspendedCounts: [String: Int] = [:]
        for target in platformOf.keys.sorted() {
            let platform = platformOf[target]!
            guard let translator = context.translators[platform] else {
                errors += (specsByTarget[target] ?? []).map {
                    SpecError(file: $0.origin.file, path: $0.origin.path, position: $0.origin.position,
                              message: "target \(target) is served by platform \(platform), which this berth does not have")
                }
                continue
            }
            // Networks are the owner's, not a spec's: planned apart (`Planner.networks`).
            let seen = (observedByTarget[target] ?? []).filter { $0.kind != NetworkNames.kind }
            // A resource is acted on only when the platform says it is this owner's.
            let identified = seen.filter { $0.isIdentified && $0.state != .removing && translator.isOwned($0, owner: context.owner) }
            for resource in identified where suspended.contains(resource.name!) { suspendedCounts[resource.name!, default: 0] += 1 }
            let mine = identified.filter { !suspended.contains($0.name!) }
            owned += mine
            let decision = translator.plan(TargetInput(
                target: target, specs: specsByTarget[target] ?? [], owned: mine,
                observed: seen.filter { !$0.isIdentified || !suspended.contains($0.name!) }, context: context))
            actions += decision.actions
            orphans += decision.orphans
            notes += decision.notes
            errors += decision.errors
            blocked += decision.blocked
            clashing += decision.clashingFiles
        }
        notes = suspended.sorted().map { name in
            let count = suspendedCounts[name] ?? 0
            return "suspended: \(name) (\(count) resource\(count == 1 ? "" : "s") left alone)"
        } + notes

        // A name whose spec names a target not observed now may be moving there: its
        // resources elsewhere wait until that target answers again.
        let waiting = orphans.filter { desired.unobservedNames.contains($0.key.name) }
        orphans.removeAll { desired.unobservedNames.contains($0.key.name) }
        if !waiting.isEmpty {
            let targets = desired.unobservedTargets.sorted().map(\.rawValue).joined(separator: ", ")
            notes.append("\(Set(waiting.map(\.key.name)).count) spec\(Set(waiting.map(\.key.name)).count == 1 ? "" : "s") not pruned elsewhere while \(targets) cannot be observed: \(Set(waiting.map(\.key.name)).sorted().joined(separator: ", "))")
        }
        var guarded = Planner.guardDeletions(
            orphans: orphans, owned: owned, invalidFiles: desired.invalidFiles + Set(clashing).subtracting(desired.invalidFiles).sorted(),
            context: context)
        guarded.held += waiting.map { var held = $0; held.reason = "spec removed here, held while target(s) \(desired.unobservedTargets.sorted().map(\.rawValue).joined(separator: ", ")) cannot be observed"; return held }
        actions += guarded.delete
        notes += guarded.notes
        let networks = Planner.networks(desired: desired, observed: observed, suspended: suspended, actions: actions,
                                        invalidFiles: !desired.invalidFiles.isEmpty || !clashing.isEmpty, context: context)
        actions = networks.actions
        notes += networks.notes
        var plan = Plan(actions: actions, errors: desired.errors + errors, held: guarded.held, notes: notes, blocked: blocked)
        plan.guardHeld = guarded.guardHeld
        plan.orphanSpecs = guarded.orphanSpecs
        plan.specCount = desired.specs.count
        if let selection = context.selection {
            plan.actions = plan.actions.filter { selection.contains($0.key.name) }
            plan.held = plan.held.filter { selection.contains($0.key.name) }
        }
        return MassCreateGuard.apply(to: plan, allow: context.allowMassCreate)
    }

    static func delete(_ key: ResourceKey, _ resource: ObservedResource, reason: String) -> Action {
        Action(op: .delete, key: key, reason: reason, existingID: resource.id, existingName: resource.engineName)
    }
}
