import BerthModel

/// The order of a plan's actions: `parallel` at a time on each target, and a create, replace,
/// start or update that names specs in `after` only once every action of those specs
/// succeeded and they are ready (`ReadinessGate`). A waiting action holds no slot; the
/// dependents of a failure are not tried, and say which dependency failed and why.
extension Executor {
    enum Finished: Sendable {
        /// `counted`: it held one of its target's slots.
        case action(Int, Outcome, counted: Bool)
        /// A spec's rollout, run as one unit in one slot (`units`).
        case unit([(Int, Outcome)])
        case ready(SpecKey, String?)
    }

    enum Gate { case open, waiting, closed(SpecKey, String) }

    /// Runs every action; one failing action never stops the others (only its dependents),
    /// except a journal that cannot be written: then no further action is started (a full
    /// disk does not get better by itself, and berth does nothing it cannot record).
    /// Outcomes are in plan order.
    public func execute(_ plan: Plan, owner: String) async -> [Outcome] {
        let actions = plan.actions
        var outcomes = [Outcome?](repeating: nil, count: actions.count)
        func specKey(_ action: Action) -> SpecKey { SpecKey(target: action.key.target, name: action.key.name) }
        // What each dependency still has to do, and how it went.
        var remaining: [SpecKey: Int] = [:]
        var specOf: [SpecKey: Spec] = [:]
        for action in actions {
            remaining[specKey(action), default: 0] += 1
            if let spec = action.spec, specOf[specKey(action)] == nil { specOf[specKey(action)] = spec }
        }
        var failure: [SpecKey: String] = [:]
        var ready: [SpecKey: String?] = [:]
        var checking: Set<SpecKey> = []
        var announced: Set<Int> = []
        await withTaskGroup(of: Finished.self) { group in
            // `parallel` actions at once on each target: one target's slow engine neither
            // holds back another's actions nor is flooded because there are many targets.
            // A spec's rollout is one unit, led by its first action, holding one slot.
            var pending: [TargetName: [[Int]]] = Dictionary(grouping: units(actions)) { actions[$0[0]].key.target }
            let targets = pending.keys.sorted()
            var inFlight: [TargetName: Int] = [:]
            var journalFailure: String?
            // An engine that refused the connection will refuse the next one too: its remaining
            // actions are not tried (one clear failure, not a retry per action).
            var unreachable: [TargetName: String] = [:]
            func gate(_ action: Action) -> Gate {
                for dependency in action.after {
                    // Nothing of it in this plan: it is as it was, nothing to wait for.
                    guard let left = remaining[dependency] else { continue }
                    if let why = failure[dependency] { return .closed(dependency, "failed: \(why)") }
                    if left > 0 { return .waiting }
                    guard let result = ready[dependency] else {
                        if checking.insert(dependency).inserted {
                            let spec = specOf[dependency], platform = platforms[dependency.target]
                            group.addTask {
                                guard let spec, let platform else { return .ready(dependency, nil) }
                                return .ready(dependency, await self.readiness.wait(for: spec, on: platform, owner: owner))
                            }
                        }
                        return .waiting
                    }
                    if let why = result { return .closed(dependency, "did not become ready: \(why)") }
                }
                return .open
            }
            func launch() {
                for target in targets {
                    var still: [[Int]] = []
                    for unit in pending[target] ?? [] {
                        let index = unit[0], action = actions[index]
                        if let journalFailure {
                            // Not announced one by one: the caller sums these up in one line.
                            for index in unit {
                                outcomes[index] = Outcome(action: actions[index], error: journalFailure, attempts: 0, journalUnwritable: true)
                                remaining[specKey(actions[index]), default: 1] -= 1
                            }
                            failure[specKey(action)] = failure[specKey(action)] ?? journalFailure
                        } else if let cause = unreachable[target] {
                            for index in unit {
                                outcomes[index] = Outcome(action: actions[index], error: "not tried: \(cause)", attempts: 0, notAttempted: true)
                                remaining[specKey(actions[index]), default: 1] -= 1
                            }
                            failure[specKey(action)] = failure[specKey(action)] ?? "not tried: \(cause)"
                        } else {
                            switch gate(action) {
                            case .waiting:
                                still.append(unit)
                                if announced.insert(index).inserted { onEvent(.waiting(action, for: action.after)) }
                            case .closed(let dependency, let why):
                                let message = "not tried: dependency \(dependency.shown(from: target)) \(why)"
                                for index in unit {
                                    let action = actions[index]
                                    group.addTask { .action(index, await self.skip(action, owner: owner, message: message, dependency: dependency), counted: false) }
                                }
                            case .open:
                                if inFlight[target, default: 0] < parallel {
                                    inFlight[target, default: 0] += 1
                                    if unit.count == 1, !(action.op == .replace && isRollout(action)) {
                                        group.addTask { .action(index, await self.run(action, owner: owner), counted: true) }
                                    } else {
                                        group.addTask { .unit(await self.runRollout(unit, actions, owner: owner)) }
                                    }
                                } else {
                                    still.append(unit)
                                }
                            }
                        }
                    }
                    pending[target] = still
                }
            }
            func finish(_ index: Int, _ outcome: Outcome) {
                outcomes[index] = outcome
                let key = specKey(outcome.action)
                remaining[key, default: 1] -= 1
                if !outcome.succeeded, failure[key] == nil { failure[key] = outcome.error ?? "failed" }
                if outcome.journalUnwritable, journalFailure == nil { journalFailure = outcome.error }
                if outcome.unreachable, let error = outcome.error { unreachable[outcome.action.key.target] = error }
            }
            launch()
            while let finished = await group.next() {
                switch finished {
                case .action(let index, let outcome, let counted):
                    finish(index, outcome)
                    if counted { inFlight[outcome.action.key.target, default: 1] -= 1 }
                case .unit(let done):
                    for (index, outcome) in done { finish(index, outcome) }
                    if let first = done.first { inFlight[first.1.action.key.target, default: 1] -= 1 }
                case .ready(let key, let why):
                    ready[key] = .some(why)
                }
                launch()
            }
            // Only a cycle, which the planner refuses, could leave actions waiting here.
            for target in targets {
                for index in (pending[target] ?? []).joined() {
                    outcomes[index] = Outcome(action: actions[index], error: "not tried: its dependencies wait for each other", attempts: 0)
                }
            }
        }
        return outcomes.map { $0! }
    }

    /// A dependent of a failure: journalled and announced as not tried, with the reason.
    func skip(_ action: Action, owner: String, message: String, dependency: SpecKey) async -> Outcome {
        await record(action, owner: owner, event: "action-skipped", error: message)
        onEvent(.failed(action, error: message))
        return Outcome(action: action, error: message, attempts: 0, dependency: dependency)
    }
}
