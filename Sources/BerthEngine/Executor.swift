import BerthJournal
import BerthModel

/// Carries a plan out: bounded parallelism, retry of transient failures with backoff, and a
/// journal record before and after every action. It decides nothing: what to do is the plan's.
public struct Executor: Sendable {
    public enum Event: Sendable {
        case started(Action)
        case succeeded(Action, attempts: Int)
        case retrying(Action, attempt: Int, delay: Duration, error: String)
        case failed(Action, error: String)
    }

    public struct Outcome: Sendable {
        public var action: Action
        public var error: String?
        public var attempts: Int
        /// The action was not done because its `action-start` record could not be written.
        public var journalUnwritable = false
        /// Not tried: its target's engine could not be reached by an earlier action of this plan.
        public var notAttempted = false
        /// Failed because the engine could not be reached at all.
        public var unreachable = false
        /// The engine answered 4xx: the request itself is wrong, and sending it again cannot help.
        public var refused = false
        public var succeeded: Bool { error == nil }
    }

    let platforms: [TargetName: any Platform]
    let journal: Journal?
    let parallel: Int
    let retry: RetryPolicy
    let sleeper: Sleeper
    let onEvent: @Sendable (Event) -> Void

    public init(platforms: [any Platform], journal: Journal?, parallel: Int = 8, retry: RetryPolicy = RetryPolicy(),
                sleeper: Sleeper = .live, onEvent: @escaping @Sendable (Event) -> Void = { _ in }) {
        self.platforms = Dictionary(platforms.map { ($0.target, $0) }, uniquingKeysWith: { a, _ in a })
        self.journal = journal; self.parallel = max(1, parallel); self.retry = retry
        self.sleeper = sleeper; self.onEvent = onEvent
    }

    /// Runs every action; one failing action never stops the others, except a journal that
    /// cannot be written: then no further action is started (a full disk does not get better
    /// by itself, and berth does nothing it cannot record). Outcomes are in plan order.
    public func execute(_ plan: Plan, owner: String) async -> [Outcome] {
        let actions = plan.actions
        var outcomes = [Outcome?](repeating: nil, count: actions.count)
        await withTaskGroup(of: [(Int, Outcome)].self) { group in
            // `parallel` actions at once on each target: one target's slow engine neither
            // holds back another's actions nor is flooded because there are many targets.
            // A spec's rollout is one unit (`units`), holding one slot.
            var pending: [TargetName: ArraySlice<[Int]>] = Dictionary(grouping: units(actions)) { actions[$0[0]].key.target }.mapValues { ArraySlice($0) }
            let targets = pending.keys.sorted()
            var inFlight: [TargetName: Int] = [:]
            var journalFailure: String?
            // An engine that refused the connection will refuse the next one too: its remaining
            // actions are not tried (one clear failure, not a retry per action).
            var unreachable: [TargetName: String] = [:]
            func launch() {
                for target in targets {
                    while inFlight[target, default: 0] < parallel, let unit = pending[target]?.popFirst() {
                        if let journalFailure {
                            // Not announced one by one: the caller sums these up in one line.
                            for index in unit { outcomes[index] = Outcome(action: actions[index], error: journalFailure, attempts: 0, journalUnwritable: true) }
                        } else if let cause = unreachable[target] {
                            for index in unit { outcomes[index] = Outcome(action: actions[index], error: "not tried: \(cause)", attempts: 0, notAttempted: true) }
                        } else if unit.count == 1, !(actions[unit[0]].op == .replace && isRollout(actions[unit[0]])) {
                            inFlight[target, default: 0] += 1
                            let index = unit[0]
                            group.addTask { [(index, await self.run(actions[index], owner: owner))] }
                        } else {
                            inFlight[target, default: 0] += 1
                            group.addTask { await self.runRollout(unit, actions, owner: owner) }
                        }
                    }
                }
            }
            launch()
            while let done = await group.next() {
                guard let target = done.first?.1.action.key.target else { continue }
                inFlight[target, default: 1] -= 1
                for (index, outcome) in done {
                    outcomes[index] = outcome
                    if outcome.journalUnwritable, journalFailure == nil { journalFailure = outcome.error }
                    if outcome.unreachable, let error = outcome.error { unreachable[outcome.action.key.target] = error }
                }
                launch()
            }
        }
        return outcomes.map { $0! }
    }

    func run(_ action: Action, owner: String) async -> Outcome {
        guard let platform = platforms[action.key.target] else {
            let message = "no adapter for target \"\(action.key.target)\""
            await record(action, owner: owner, event: "action-failed", error: message)
            onEvent(.failed(action, error: message))
            return Outcome(action: action, error: message, attempts: 0)
        }
        var attempt = 0
        while true {
            attempt += 1
            // Nothing is done that the journal could not record.
            if let failure = await record(action, owner: owner, event: "action-start", attempt: attempt) {
                let message = "not done: the journal cannot be written (\(failure))"
                onEvent(.failed(action, error: message))
                return Outcome(action: action, error: message, attempts: attempt - 1, journalUnwritable: true)
            }
            onEvent(.started(action))
            do {
                let notes = ActionNotes()
                try await ActionNotes.$current.withValue(notes) { try await platform.perform(action, owner: owner) }
                await record(action, owner: owner, event: "action-ok", attempt: attempt, message: notes.text)
                onEvent(.succeeded(action, attempts: attempt))
                return Outcome(action: action, error: nil, attempts: attempt)
            } catch {
                let message = String(describing: error)
                // A connect that failed before a byte was sent is not retried action by action.
                let unreachable = (error as? BerthError)?.code == .engineUnreachable
                let retryable = RetryPolicy.shouldRetry(error) && !Task.isCancelled && !unreachable
                if RetryPolicy.isRefusal(error) {
                    // Named with the spec's place, so the person knows which file to edit; a
                    // Kubernetes answer names it (and says "not retried") already.
                    var refusal = message
                    if let origin = action.spec?.origin, !message.contains(origin.file) {
                        refusal = "\(origin): the engine refused it (HTTP \((error as? BerthError)?.status ?? 400), not retried): \(message)"
                    }
                    await record(action, owner: owner, event: "action-failed", error: refusal, attempt: attempt)
                    onEvent(.failed(action, error: refusal))
                    return Outcome(action: action, error: refusal, attempts: attempt, refused: true)
                }
                if !retryable || attempt >= retry.maxAttempts {
                    await record(action, owner: owner, event: "action-failed", error: message, attempt: attempt)
                    onEvent(.failed(action, error: message))
                    return Outcome(action: action, error: message, attempts: attempt, unreachable: unreachable)
                }
                let delay = retry.delay(after: attempt, random: sleeper.random())
                await record(action, owner: owner, event: "action-retry", error: message, attempt: attempt)
                onEvent(.retrying(action, attempt: attempt, delay: delay, error: message))
                do { try await sleeper.sleep(delay) } catch {
                    return Outcome(action: action, error: "cancelled while waiting to retry: \(message)", attempts: attempt)
                }
            }
        }
    }

    @discardableResult
    func record(_ action: Action, owner: String, event: String, error: String? = nil, attempt: Int? = nil,
                message: String? = nil) async -> String? {
        guard let journal else { return nil }
        do {
            var entry = JournalRecord.action(action, owner: owner, event: event, error: error, attempt: attempt)
            entry.message = message
            try await journal.append(entry)
            return nil
        } catch {
            return String(describing: error)
        }
    }
}

extension JournalRecord {
    /// The journal's view of an action: identity, op, reason; never spec values (secrets).
    public static func action(_ action: Action, owner: String, event: String, error: String? = nil, attempt: Int? = nil) -> JournalRecord {
        var detail: [String: String] = [:]
        // A Kubernetes object is named in full ("apps/v1 Deployment default/web"): one spec
        // makes several, and a container id's 12 characters would cut it to "apps/v1 Depl".
        if let object = action.key.object {
            detail["object"] = object
        } else if let id = action.existingID {
            detail["id"] = String(id.prefix(12))
        }
        if let hash = action.configHash { detail["config-hash"] = String(hash.prefix(12)) }
        if let strategy = action.strategy { detail["strategy"] = strategy.rawValue }
        if !action.changes.isEmpty { detail["changes"] = action.changes.map(\.description).joined(separator: "; ") }
        return JournalRecord(
            event: event, owner: owner, target: action.key.target.rawValue, kind: action.key.kind, name: action.key.name,
            replica: action.key.replica, op: action.op.rawValue, reason: action.reason, error: error,
            file: action.spec?.origin.file, attempt: attempt, detail: detail.isEmpty ? nil : detail)
    }
}

extension JournalRecord {
    /// A spec content the platform refused, not sent again until the spec changes.
    public static func blocked(_ spec: BlockedSpec, owner: String) -> JournalRecord {
        JournalRecord(event: "blocked", owner: owner, target: spec.key.target.rawValue, kind: spec.key.kind, name: spec.key.name,
                      error: spec.message, detail: ["config-hash": String(spec.configHash.prefix(12))])
    }

    /// A spec error as the journal keeps it: file, path and position, the message.
    public static func specError(_ error: SpecError, owner: String) -> JournalRecord {
        JournalRecord(event: "spec-error", owner: owner, error: error.message, file: error.file,
                      detail: ["path": error.path.description, "line": String(error.position.line), "column": String(error.position.column)])
    }
}
