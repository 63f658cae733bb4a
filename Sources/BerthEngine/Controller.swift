import FoundationEssentials
import BerthJournal
import BerthModel

/// The watch daemon's brain. Triggers (file changes, engine events, resyncs, SIGHUP) only
/// enqueue keys; workers take a key, re-read the world and act on what they read
/// (level-triggered). A failing spec is retried with its own backoff and never blocks others.
public actor Controller {
    public struct Configuration: Sendable {
        public var owner: String
        public var allowMassDelete: Bool
        /// The state folder's fingerprint key, for secret values in diffs.
        public var secretKey: [UInt8] = []
        /// `--allow-mass-create`.
        public var allowMassCreate = false
        /// `watch --delete-after`: how long a spec's file must stay gone before its resources
        /// are deleted; zero deletes at once.
        public var deleteAfter: Duration = .zero
        public var workers: Int
        public var parallel: Int
        /// A passing failure (a 503, an answer cut short) of one target's observation is asked
        /// again within the pass, as plan and apply do, before the pass counts as failed: each
        /// pass asks an engine for several lists, and a failed pass backs its key off for
        /// longer every time. Short, since the queue has its own backoff; nil asks once.
        public var observeRetry: RetryPolicy? = RetryPolicy(base: .milliseconds(250), cap: .seconds(2), maxAttempts: 4)
        public init(owner: String, allowMassDelete: Bool = false, workers: Int = 4, parallel: Int = 8, secretKey: [UInt8] = []) {
            self.owner = owner; self.allowMassDelete = allowMassDelete; self.workers = workers; self.parallel = parallel
            self.secretKey = secretKey
        }
    }

    /// "*" reconciles everything (and finds orphans); "target/name" one spec.
    public static let everything = "*"

    let configuration: Configuration
    let platforms: [any Platform]
    let journal: Journal
    let load: @Sendable () -> DesiredState
    let knownConfigs: @Sendable () -> [String: JSONValue]
    let log: @Sendable (LogEvent) -> Void
    let sleeper: Sleeper
    let now: @Sendable () -> ContinuousClock.Instant
    public let queue: WorkQueue<String>

    var engineDown = false
    var lastNotes: [String] = []
    var lastErrors: [SpecError] = []
    var lastTargetErrors: [String] = []
    var heals: [String: Heal] = [:]
    var crashLoopsReported: [String: Int] = [:]
    var records: [String: SpecRecord] = [:]
    var lastObserved: [ObservedResource] = []
    var lastBlocked: [BlockedSpec] = []
    /// Keys whose last actions failed: until when they wait, and for which spec content.
    var holds: [String: Hold] = [:]
    /// Observations are numbered as they start; status keeps the newest, since workers
    /// finish in any order and a slow pass must not overwrite what a later one saw.
    var observationsStarted = 0
    var newestShown = 0
    var lastDesired = DesiredState(specs: [])
    var lastContext: PlanContext?
    var onReconciled: @Sendable (StatusReport) -> Void = { _ in }
    /// What the state folder holds of deletions waiting for a person, read every pass.
    let heldDeletions: @Sendable () -> HeldDeletions
    /// Called after each full pass's plan: the watch records held deletions and configurations.
    let onPlanned: @Sendable (Plan, DesiredState, [ObservedResource], Set<TargetName>) -> Void
    /// Targets that could not be observed: since when, and what was said.
    var targetsDown: [String: (since: String, error: String)] = [:]
    /// Targets observed at least once, for status.
    var targetsSeen: Set<String> = []
    /// Targets where berth has made something (state/targets.json), read and written through these.
    let targetsMade: @Sendable () -> Set<TargetName>
    let recordTargetsMade: @Sendable (Set<TargetName>) -> Void
    /// The targets the last pass contacted: a target nothing uses is not contacted, and its
    /// event stream is not followed.
    public private(set) var contacted: Set<TargetName> = []
    /// Targets being probed while unreachable (see `ReachabilityProbe`).
    var probing: Set<TargetName> = []
    /// Metrics and notifications (see `Controller+Observers.swift`).
    var observers: [any ControllerObserver] = []
    /// Configurations seen made, by resource identity: one missing later was removed out of band.
    var seenMade: [String: Set<String>] = [:]
    /// Keys whose spec file is gone, since when (see `Controller+DeleteAfter.swift`).
    var goneSince: [String: ContinuousClock.Instant] = [:]
    /// The line said for each deletion that waits, also shown in status.
    var deletionsWaiting: [String: String] = [:]

    public init(configuration: Configuration, platforms: [any Platform], journal: Journal,
                load: @escaping @Sendable () -> DesiredState,
                knownConfigs: @escaping @Sendable () -> [String: JSONValue] = { [:] },
                heldDeletions: @escaping @Sendable () -> HeldDeletions = { HeldDeletions() },
                onPlanned: @escaping @Sendable (Plan, DesiredState, [ObservedResource], Set<TargetName>) -> Void = { _, _, _, _ in },
                targetsMade: @escaping @Sendable () -> Set<TargetName> = { Set(TargetName.implicit) },
                recordTargetsMade: @escaping @Sendable (Set<TargetName>) -> Void = { _ in },
                log: @escaping @Sendable (LogEvent) -> Void, sleeper: Sleeper = .live,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.configuration = configuration; self.platforms = platforms; self.journal = journal
        self.load = load; self.knownConfigs = knownConfigs; self.log = log; self.sleeper = sleeper; self.now = now
        self.heldDeletions = heldDeletions; self.onPlanned = onPlanned
        self.targetsMade = targetsMade; self.recordTargetsMade = recordTargetsMade
        self.queue = WorkQueue(retry: RetryPolicy(base: .seconds(1), cap: .seconds(300), maxAttempts: .max), sleeper: sleeper)
    }

    public func setStatusHandler(_ handler: @escaping @Sendable (StatusReport) -> Void) { onReconciled = handler }

    /// Runs the workers until the queue is shut down.
    public func runWorkers() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, configuration.workers) {
                group.addTask { [queue] in
                    while let key = await queue.next() {
                        await self.reconcile(key)
                        await queue.done(key)
                    }
                }
            }
        }
    }

    public func enqueue(_ key: String) async { await queue.add(key) }

    /// Whether the last pass used this target (its event stream is worth following).
    public func isContacted(_ target: TargetName) -> Bool { contacted.contains(target) }

    func reconcile(_ key: String) async {
        let started = now()
        observationsStarted += 1
        let number = observationsStarted
        let wanted = load(), made = targetsMade()
        let observation = await Observation.run(platforms: platforms, owner: configuration.owner, desired: wanted,
                                                contact: Observation.contact(desired: wanted, made: made),
                                                retry: configuration.observeRetry,
                                                retrying: { [log] line in log(LogEvent("retry: " + line, level: .debug)) })
        contacted = observation.attempted
        let nowMade = observation.made(previously: made)
        if nowMade != made { recordTargetsMade(nowMade) }
        await trackTargets(observation, key: key)
        // Each target stands alone: one that cannot be observed is named, probed and tried
        // again later, its specs are left out of this plan (nothing of them deleted anywhere),
        // and every other target is planned and healed as usual.
        await reportTargetFailures(observation.failures.filter { ($0.error as? BerthError)?.code != .engineUnreachable })
        // Probes start once this pass has scheduled its own retry, so that a target answering
        // at once brings the key back instead of being overtaken by that retry.
        defer { for failure in observation.failures where RetryPolicy.shouldRetry(failure.error) { probe(failure.target) } }
        let failed = Set(observation.failures.map(\.target))
        if key != Controller.everything, let failure = observation.failures.first(where: { $0.target.rawValue == Controller.target(of: key) }) {
            await engineFailed(key, failure.error, target: failure.target)
            finishPass(key, started)
            return
        }
        let observed = observation.observed, desired = observation.desired
        // Status lists every spec; those of a target not observed now show as unknown.
        show(observed, wanted, number)
        callOffDeletions(desired)
        var start = PlanContext(owner: configuration.owner, allowMassDelete: configuration.allowMassDelete, knownConfigs: knownConfigs())
        start.secretKey = configuration.secretKey
        start.allowMassCreate = configuration.allowMassCreate
        var context = await platforms.planContext(start, observed: observation.attempted.subtracting(failed))
        context.heldDeletions = heldDeletions()
        lastContext = context
        let plan = Planner.plan(desired: desired, observed: observed, context: context)
        await reportBlocked(plan.blocked)
        if key != Controller.everything, stillRefused(key, desired) {
            // The engine refused this spec content (4xx): nothing is sent again until it changes.
            await queue.forget(key)
        } else if key != Controller.everything, let wait = held(key, desired) {
            // An engine event (or the failure's own echo) woke the key early: the backoff
            // holds for the same spec content; only a new content goes ahead at once.
            await scheduleLater(key, after: wait)
        } else if key == Controller.everything {
            onPlanned(plan, desired, observed, Set(platforms.map(\.target)).subtracting(failed))
            await reportPlanOnce(plan)
            for specKey in Set(plan.actions.map { Controller.key($0.key) }) { await queue.add(specKey) }
            if failed.isEmpty {
                await queue.forget(key)
            } else if let delay = await queue.retryLater(key) {
                // The targets left out are looked at again, with backoff (and at once when a probe hears them).
                tellObservers { $0.retrying(key: key, target: failed.min()!.rawValue, delay: delay) }
            }
        } else if key != Controller.everything, let wait = deletionWait(key, plan.actions.filter { Controller.key($0.key) == key }) {
            // The spec's file is gone, but not for long enough yet: look again when it has been.
            await scheduleLater(key, after: wait)
        } else if await act(key, plan.actions.filter { Controller.key($0.key) == key }) {
            // status.json must show what the actions made, not what was there before them.
            observationsStarted += 1
            let number = observationsStarted
            let after = await Observation.run(platforms: platforms, owner: configuration.owner, desired: desired, contact: contacted)
            if Set(after.failures.map(\.target)).isSubset(of: failed) { show(after.observed, wanted, number) }
        }
        finishPass(key, started)
    }

    /// status.json and the observers hear how the pass left things.
    func finishPass(_ key: String, _ started: ContinuousClock.Instant) {
        let report = status()
        onReconciled(report)
        passEnded(key, started: started, report: report)
    }

    static func key(_ resource: ResourceKey) -> String { resource.target.qualifying(resource.name) }

    func show(_ observed: [ObservedResource], _ desired: DesiredState, _ number: Int) {
        for resource in observed {
            guard let exit = resource.exit, let name = resource.name else { continue }
            let key = resource.target.qualifying(name)
            if (records[key]?.lastExit?.finishedAt ?? "") < exit.finishedAt { records[key, default: SpecRecord()].lastExit = exit }
        }
        rememberSeen(observed)
        guard number > newestShown else { return }
        newestShown = number
        lastObserved = observed
        lastDesired = desired
    }

    /// Each target's loss and recovery is said once and journaled, for status and history.
    /// DOCKER_HOST's engine (the implicit docker and swarm targets) is "the engine", as in v1.
    func trackTargets(_ observation: Observation, key: String) async {
        let failed = Dictionary(observation.failures.map { ($0.target, $0.error) }, uniquingKeysWith: { a, _ in a })
        for platform in platforms {
            let target = platform.target
            let implicitEngine = target == .docker || target == .swarm
            if let error = failed[target] {
                let unreachable = (error as? BerthError)?.code == .engineUnreachable
                if targetsDown[target.rawValue] == nil {
                    targetsDown[target.rawValue] = (Timestamp.rfc3339(Date()), "\(error)")
                    tellObservers { $0.reachabilityChanged(target: target.rawValue, reachable: false, cause: "\(error)") }
                    if implicitEngine && unreachable {
                        if !engineDown {
                            engineDown = true
                            log(Controller.engineDownEvent(error, target: target.rawValue))
                            await record(JournalRecord(event: "engine-down", owner: configuration.owner, error: String(describing: error)))
                        }
                    } else if !implicitEngine {
                        log(Controller.targetDownEvent(error, target: target.rawValue))
                        await record(JournalRecord(event: "target-down", owner: configuration.owner, target: target.rawValue, error: "\(error)"))
                    }
                }
            } else if observation.attempted.contains(target) {
                let first = targetsSeen.insert(target.rawValue).inserted
                let wasDown = targetsDown.removeValue(forKey: target.rawValue) != nil
                if first || wasDown { tellObservers { $0.reachabilityChanged(target: target.rawValue, reachable: true, cause: nil) } }
                if implicitEngine && engineDown {
                    engineDown = false
                    log("engine is back: reconciling everything")
                    await record(JournalRecord(event: "engine-up", owner: configuration.owner))
                    if key != Controller.everything { await queue.add(Controller.everything) }
                } else if wasDown, !implicitEngine {
                    log("target \(target) is reachable again: reconciling")
                    await record(JournalRecord(event: "target-up", owner: configuration.owner, target: target.rawValue))
                    if key != Controller.everything { await queue.add(Controller.everything) }
                }
            }
        }
    }

    /// Carries out one spec's actions; true if any were tried.
    @discardableResult
    func act(_ key: String, _ actions: [Action]) async -> Bool {
        let (ready, wait) = crashLoopSplit(key, actions)
        if let wait { await scheduleLater(key, after: wait) }
        let actions = ready
        guard !actions.isEmpty else { if wait == nil { await queue.forget(key) }; return false }
        let executor = Executor(
            platforms: platforms, journal: journal, parallel: configuration.parallel,
            retry: RetryPolicy(maxAttempts: 1), sleeper: sleeper,
            onEvent: ActionLog(log: log, revision: { [journal] in journal.currentRevision?.hash }).record)
        let outcomes = await executor.execute(Plan(actions: actions), owner: configuration.owner)
        observeActions(actions, outcomes: outcomes)
        var entry = records[key] ?? SpecRecord()
        entry.lastAction = actions.map { $0.op.rawValue + ($0.key.replica.map { " #\($0)" } ?? "") }.joined(separator: ", ")
        entry.lastActionTime = Timestamp.rfc3339(Date())
        let failed = outcomes.filter { !$0.succeeded }
        // A refused spec content waits for an edit. A refused deletion has no content to
        // change, and a 409 there may pass (a removal in progress): it keeps its backoff.
        let refused = !failed.isEmpty && failed.allSatisfy { $0.refused && $0.action.spec != nil }
        entry.lastError = failed.first.map { (refused ? "refused, held until the spec changes: " : "") + ($0.error ?? "") }
        records[key] = entry
        // A removed spec's deletion is done: a full pass records it (held deletions, status).
        if actions.contains(where: { $0.op == .delete && $0.reason.hasPrefix("spec removed") }) && failed.isEmpty {
            await queue.add(Controller.everything)
        }
        await recreateIfBack(key, actions)
        if failed.isEmpty {
            holds[key] = nil
            await queue.forget(key)
        } else if refused {
            // Sending the same request again gets the same 4xx: no backoff, held until an edit.
            // The spec's own hash, as `stillRefused` reads it (a Kubernetes action carries its object's).
            holds[key] = Hold(until: now(), content: actions.compactMap { $0.spec?.configHash }.first ?? "", refused: true)
            await queue.forget(key)
            log(Controller.refusedEvent(key, error: failed.first?.error))
        } else if let delay = await queue.retryLater(key) {
            holds[key] = Hold(until: now() + delay, content: actions.compactMap(\.configHash).first ?? "")
            tellObservers { $0.retrying(key: key, target: Controller.target(of: key, failing: failed.first?.action.key.target.rawValue), delay: delay) }
            log(Controller.retryEvent(key, failed: failed, delay: delay, attempt: await queue.failures(key)))
        }
        return true
    }

    /// A spec key whose target cannot be observed waits with its own backoff; the target's
    /// loss was said by `trackTargets`.
    func engineFailed(_ key: String, _ error: any Error, target: TargetName) async {
        if (error as? BerthError)?.code != .engineUnreachable { log(Controller.observeFailedEvent(error, target: target.rawValue)) }
        if let delay = await queue.retryLater(key) {
            tellObservers { $0.retrying(key: key, target: target.rawValue, delay: delay) }
        }
    }

    /// Notes, held deletions and spec errors are said once when they change, not on every pass.
    func reportPlanOnce(_ plan: Plan) async {
        if plan.notes != lastNotes {
            lastNotes = plan.notes
            for note in plan.notes { log("note: \(note)") }
            for held in plan.held { await record(JournalRecord.action(held, owner: configuration.owner, event: "action-held")) }
        }
        guard plan.errors != lastErrors else { return }
        lastErrors = plan.errors
        for error in plan.errors {
            log(Controller.specErrorEvent(error))
            await record(JournalRecord.specError(error, owner: configuration.owner))
        }
    }

    /// A target that cannot be used (no swarm manager) is said once, not on every pass.
    func reportTargetFailures(_ failures: [(target: TargetName, error: any Error)]) async {
        let now = failures.map { "\($0.error)" }
        guard now != lastTargetErrors else { return }
        lastTargetErrors = now
        for line in now {
            log(.plain(line))
            await record(JournalRecord(event: "target-error", owner: configuration.owner, error: line))
        }
    }

    func scheduleLater(_ key: String, after delay: Duration) async {
        let sleeper = self.sleeper, queue = self.queue
        Task.detached {
            try? await sleeper.sleep(delay)
            await queue.add(key)
        }
    }

    func record(_ entry: JournalRecord) async {
        do { try await journal.append(entry) } catch { log("cannot write the journal: \(error)") }
    }

    static func describe(_ event: Executor.Event) -> String? {
        switch event {
        case .started, .waiting: nil
        case .succeeded(let a, _):
            "\(a.op.rawValue) \(a.key): \(a.reason)" + (a.changes.isEmpty ? "" : " (\(a.changes.map(\.description).joined(separator: "; ")))") + ": ok"
        case .retrying(let a, _, _, let e): "\(a.op.rawValue) \(a.key): \(e)"
        case .failed(let a, let e): "\(a.op.rawValue) \(a.key) failed: \(e)"
        }
    }

    public static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s < 10 ? "\(Int((s * 10).rounded()) / 10).\(Int((s * 10).rounded()) % 10)s" : "\(Int(s))s"
    }
}
