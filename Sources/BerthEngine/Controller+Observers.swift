import BerthModel

/// Observers (metrics, notifications) hear what each pass did. The calls are made inside the
/// pass and must return at once: see `ControllerObserver`.
extension Controller {
    public func addObserver(_ observer: any ControllerObserver) { observers.append(observer) }

    func tellObservers(_ call: (any ControllerObserver) -> Void) {
        for observer in observers { call(observer) }
    }

    /// Said at every end of `reconcile`, with the status the pass leaves behind.
    func passEnded(_ key: String, started: ContinuousClock.Instant, report: StatusReport) {
        guard !observers.isEmpty else { return }
        let summary = PassSummary(key: key, report: report, duration: now() - started,
                                  converged: report.isConverged, errors: report.problems)
        if key == Controller.everything {
            let waiting = (report.held ?? []).filter { !$0.released }.map { TargetName($0.target).qualifying(SpecName($0.spec)) }
            tellObservers { $0.heldDeletions(count: waiting.count, names: waiting) }
        }
        tellObservers { $0.passFinished(summary) }
    }

    /// Remembers which resources were seen made from which configuration, so that one
    /// missing later was removed out of band (drift), not never made.
    func rememberSeen(_ observed: [ObservedResource]) {
        guard !observers.isEmpty else { return }
        var now: [String: Set<String>] = [:]
        for resource in observed {
            guard let name = resource.name, let hash = resource.configHash else { continue }
            now[Controller.madeIdentity(target: resource.target.rawValue, name: name, replica: resource.replica), default: []].insert(hash)
        }
        for (identity, hashes) in now {
            // Bounded: a spec edited all day keeps only its recent configurations.
            let merged = seenMade[identity, default: []].union(hashes)
            seenMade[identity] = merged.count > 64 ? hashes : merged
        }
    }

    /// A Kubernetes spec's objects share its name and differ by configuration, hence a set per identity.
    static func madeIdentity(target: String, name: SpecName, replica: Int?) -> String {
        "\(target)/\(name)#\(replica ?? 0)"
    }

    /// Whether an action puts back what changed out of band rather than carrying out a spec change.
    func isDrift(_ action: Action) -> Bool {
        switch action.op {
        case .start:
            return true
        case .replace:
            return action.reason == "container is dead" || action.reason.hasPrefix("named ") || action.reason == "image changed"
                || action.reason.contains("changed on the engine")
        case .update:
            return action.reason.contains("drifted out of band") || action.reason.contains("changed on the engine")
                || action.reason == "labels restored"
        case .create:
            guard action.reason == "missing", let hash = action.configHash else { return false }
            return seenMade[Controller.madeIdentity(target: action.key.target.rawValue, name: action.key.name, replica: action.key.replica)]?
                .contains(hash) ?? false
        default:
            return false
        }
    }

    /// Drift seen before the actions run; each action's result and the heals after.
    func observeActions(_ actions: [Action], outcomes: [Executor.Outcome]) {
        guard !observers.isEmpty else { return }
        for outcome in outcomes {
            let action = outcome.action
            let drift = isDrift(action)
            if drift { tellObservers { $0.driftSeen(target: action.key.target.rawValue, name: action.key.name.rawValue, reason: action.reason) } }
            tellObservers { $0.actionFinished(target: action.key.target.rawValue, kind: action.key.kind, op: action.op.rawValue,
                                              succeeded: outcome.succeeded, attempts: outcome.attempts) }
            if drift && outcome.succeeded { tellObservers { $0.driftHealed(target: action.key.target.rawValue, name: action.key.name.rawValue) } }
        }
    }

    /// The target a key's retry is about: a spec key names it; the full pass names the first failing one.
    static func target(of key: String, failing: String? = nil) -> String {
        if key == Controller.everything { return failing ?? key }
        return String(key.prefix { $0 != "/" })
    }
}
