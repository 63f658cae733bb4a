import BerthDocker
import BerthEngine
import BerthJournal
import BerthModel
import BerthSource
import BerthSystem
import FoundationEssentials

enum ApplyCommand {
    static func run(settings given: Settings, arguments: Arguments, console: Console) async -> Int32 {
        var settings = given
        var saved: SavedPlan.Given?
        if let path = arguments.positionals.first(where: { $0.hasSuffix(SavedPlan.fileSuffix) }) {
            // Read before anything is made: a wrong file leaves nothing behind.
            do { saved = SavedPlan.Given(path: path, plan: try SavedPlan.read(path)) } catch {
                console.err("berth: \(error)")
                return ExitCode.failure
            }
        }
        let state: StateFolder
        do {
            // Checked before the state folder is made: a wrong --specs leaves nothing behind.
            if settings.gitSource == nil { try SpecFolder.requireFolder(settings.specsDirectory) }
            state = try StateFolder.open(settings, purpose: "apply", notice: { console.err("berth: \($0)") })
        } catch {
            console.err("berth: \(error)")
            return ExitCode.failure
        }
        defer { state.lock.release() }
        if let options = settings.gitSource {
            // One pass from the branch's head, through the same checkout and checks as watch.
            let source = GitSource(options: options, root: settings.gitDirectory, owner: settings.owner, policy: settings.policy, stateDirectory: settings.stateDirectory,
                                   journal: state.journal, log: { console.err("berth: \($0)") }, catalog: settings.catalog)
            guard let inForce = await GitSource.fetchForOnePass(source, console: console) else { return ExitCode.failure }
            settings.specsDirectory = inForce.directory
            state.journal.setRevision(inForce.revision)
        } else {
            state.journal.setRevision(LocalRevision(directory: settings.specsDirectory).current())
        }
        let imageLines = Progress.Lines()
        let registry = TargetRegistry.build(settings, progress: { target, line in
            let shown = target.isImplicit ? line : "\(target): \(line)"
            // The last line of a pull, import or build stays; the steps before it share one line on a terminal.
            if ["pulled ", "imported ", "built "].contains(where: line.hasPrefix) { console.err("image: \(shown)") } else { console.status("image: \(shown)") }
            imageLines.append(shown)
        })
        var code: Int32
        var superseded: Bool
        repeat {
            (code, superseded) = await applyOnce(settings: settings, arguments: arguments, console: console, journal: state.journal,
                                                 registry: registry, imageLines: imageLines, saved: saved)
            if superseded { console.out("a newer spec arrived while waiting: applying it") }
        } while superseded
        await registry.stop()
        console.endStatus()
        return code
    }

    /// One observe -> plan -> execute pass, then the rollout wait if asked; `superseded` when
    /// the specs changed while waiting, so the caller applies again.
    static func applyOnce(settings: Settings, arguments: Arguments, console: Console, journal: Journal,
                          registry: TargetRegistry, imageLines: Progress.Lines, saved: SavedPlan.Given? = nil) async -> (Int32, superseded: Bool) {
        do {
            let parallel = try arguments.int("parallel", default: 8, range: 1...256)
            let timeout = try Durations.parse(arguments.values["timeout"] ?? "5m", option: "timeout")
            FileDigestCache.shared.persist(at: settings.digestCachePath)
            let fingerprint = SpecFingerprint.now(settings)
            let observeRetries = Progress.Lines()
            let reconcile = try await Reconcile.prepare(settings: settings, registry: registry,
                                                        retrying: { console.err("retry: \($0)"); observeRetries.append($0) })
            let choices = saved?.plan.choices ?? Reconcile.Choices(arguments)
            let plan: Plan
            if let saved {
                guard let derived = try saved.derive(reconcile, settings: settings, console: console) else { return (ExitCode.failure, false) }
                plan = derived
            } else {
                do { try reconcile.unknownNames(choices) } catch {
                    console.err("berth: \(error)")
                    return (ExitCode.usage, false)
                }
                plan = reconcile.plan(choices)
            }
            for error in plan.errors { console.err(error.description, style: .red) }
            for error in reconcile.targetErrors { console.err("berth: \(error)", style: .red) }
            for spec in plan.blocked { console.err("berth: blocked: \(spec)", style: .boldRed) }
            console.outPlan(plan.description)
            if saved == nil, !Confirmation.approved(plan, arguments: arguments, console: console) {
                console.out("Apply cancelled: nothing was changed.")
                return (ExitCode.failure, false)
            }
            do {
                try await journal.append(observeRetries.take().map { JournalRecord(event: "observe-retry", owner: settings.owner, error: $0) }
                    + ApplyCommand.planRecords(plan, owner: settings.owner, selection: choices.selection)
                    + reconcile.targetErrors.map { JournalRecord(event: "target-error", owner: settings.owner, error: $0) })
            } catch {
                // Nothing is done that the journal could not record (a full disk, a read-only mount).
                console.err("berth: nothing applied: the journal cannot be written: \(error)")
                return (ExitCode.failure, false)
            }

            for kube in registry.kubes where plan.actions.contains(where: { $0.key.target == kube.target }) {
                do { try await kube.takeLease(owner: settings.owner) } catch {
                    console.err("berth: nothing applied: \(error)")
                    return (ExitCode.failure, false)
                }
            }
            let progress = Progress(total: plan.actions.count)
            let executor = Executor(
                platforms: reconcile.platforms, journal: journal, parallel: parallel,
                onEvent: { ApplyCommand.show($0, progress: progress, console: console) })
            let outcomes = await executor.execute(plan, owner: settings.owner)
            let failed = outcomes.filter { !$0.succeeded && !$0.notAttempted && !$0.journalUnwritable }
            let skipped = outcomes.filter(\.notAttempted)
            let unrecorded = outcomes.filter(\.journalUnwritable).count
            if unrecorded > 0 {
                console.err("berth: stopped: the journal cannot be written, \(unrecorded) of \(outcomes.count) actions not done")
            }
            if let first = skipped.first {
                console.err("berth: \(skipped.count) action\(skipped.count == 1 ? "" : "s") not tried, the engine could not be reached: \(first.error!.dropFirst("not tried: ".count))")
            }

            try await journal.append(imageLines.take().map { JournalRecord(event: "image", owner: settings.owner, message: $0) })
            let inUse = Set(reconcile.observed.compactMap(\.configHash))
            try ConfigStore.save(settings.configsPath, previous: reconcile.knownConfigs, desired: reconcile.desired.specs, inUse: inUse, key: reconcile.context.secretKey)
            if reconcile.targetsMade.after != reconcile.targetsMade.before { TargetsStore.save(reconcile.targetsMade.after, settings) }
            try HeldStore.record(ApplyCommand.afterDeletions(plan, outcomes), observedTargets: reconcile.observedTargets, settings: settings)
            if !outcomes.isEmpty {
                let done = outcomes.filter(\.succeeded).count
                console.out("Applied: \(done) done, \(failed.count) failed" + (skipped.count + unrecorded > 0 ? ", \(skipped.count + unrecorded) not tried." : "."))
            }
            var code = ApplyCommand.exitCode(plan, failed: outcomes.count - outcomes.filter(\.succeeded).count,
                                             targetErrors: reconcile.targetErrors)
            // --wait: containers to run and be healthy; Swarm's updates to complete, roll back
            // or pause; then Kubernetes rollouts.
            for docker in reconcile.platforms.compactMap({ $0 as? DockerContainerAdapter }) where code == ExitCode.ok && arguments.flags.contains("wait") {
                let specs = HealthWait.specs(outcomes, target: docker.target)
                if !specs.isEmpty, let why = await HealthWait.run(docker: docker, specs: specs, owner: settings.owner, timeout: timeout, console: console) {
                    console.err("berth: \(why)")
                    try await journal.append(JournalRecord(event: "health", owner: settings.owner, target: docker.target.rawValue, error: why))
                    code = ExitCode.failure
                }
            }
            for swarm in reconcile.platforms.compactMap({ $0 as? DockerSwarmAdapter }) where code == ExitCode.ok && arguments.flags.contains("wait") {
                let services = SwarmWait.services(outcomes.filter { $0.action.key.target == swarm.target }, owner: settings.owner)
                if !services.isEmpty, let why = await SwarmWait.run(swarm: swarm, services: services, timeout: timeout, console: console) {
                    console.err("berth: \(why)")
                    try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, target: swarm.target.rawValue, error: why))
                    code = ExitCode.failure
                }
            }
            for kube in registry.kubes where code == ExitCode.ok && arguments.flags.contains("wait") {
                guard let adapter = await kube.connected() else { continue }
                let outcome = await RolloutWait.run(
                    adapter: adapter, deployments: RolloutWait.deployments(reconcile, target: kube.target), timeout: timeout, console: console,
                    superseded: { SpecFingerprint.now(settings) != fingerprint })
                switch outcome {
                case .complete:
                    try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, message: "complete"))
                case .superseded:
                    try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, message: "superseded by a newer spec"))
                    return (ExitCode.ok, true)
                case .failed(let why):
                    console.err("berth: \(why)")
                    try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, error: why))
                    code = ExitCode.failure
                }
            }
            let end = ApplyCommand.endRecord(code: code, plan: plan, failed: outcomes.count - outcomes.filter(\.succeeded).count,
                                             count: outcomes.count, owner: settings.owner)
            try await journal.append(end)
            // The last line says what the exit code says.
            if code != ExitCode.ok { console.out("Not converged: \(end.message ?? "see above").") }
            return (code, false)
        } catch {
            console.err("berth: \(error)")
            _ = try? await journal.append(JournalRecord(event: "apply-end", owner: settings.owner, error: String(describing: error),
                                                        detail: ["exit": String(ExitCode.failure)]))
            return (ExitCode.failure, false)
        }
    }

    /// 1 when anything failed or was left out (invalid files, unobserved targets); 3 when all
    /// that could be done is done but deletions wait for a person; 0 only when converged.
    static func exitCode(_ plan: Plan, failed: Int, targetErrors: [String]) -> Int32 {
        if failed > 0 || !plan.errors.isEmpty || !plan.blocked.isEmpty {
            return ExitCode.failure
        }
        // Every target that answered is done; one or more were skipped, named above.
        if !targetErrors.isEmpty || !plan.unplannedTargets.isEmpty { return plan.anyTargetObserved ? ExitCode.skipped : ExitCode.failure }
        return plan.held.isEmpty ? ExitCode.ok : ExitCode.held
    }

    /// The apply-end record says what the exit code says.
    static func endRecord(code: Int32, plan: Plan, failed: Int, count: Int, owner: String) -> JournalRecord {
        var why: [String] = []
        if failed > 0 { why.append("\(failed) failed") }
        if !plan.errors.isEmpty { why.append("\(Set(plan.errors.map(\.file)).count) invalid file(s) not applied") }
        if !plan.blocked.isEmpty { why.append("\(plan.blocked.count) spec(s) blocked until changed") }
        if !plan.unplannedTargets.isEmpty { why.append("not observed: \(plan.unplannedTargets.sorted().joined(separator: ", "))") }
        let heldDeletions = plan.held.filter { $0.op == .delete }.count
        if heldDeletions > 0 { why.append("\(heldDeletions) deletion(s) held") }
        if plan.heldCreates > 0 { why.append("\(plan.heldCreates) create(s) held by the mass-create guard") }
        let message = code == ExitCode.ok ? "converged" : why.isEmpty ? "rollout failed" : why.joined(separator: "; ")
        return JournalRecord(event: "apply-end", owner: owner, message: message, count: count, detail: ["exit": String(code)])
    }

    /// The plan as the held-deletions record should see it once the deletions that succeeded are gone.
    static func afterDeletions(_ plan: Plan, _ outcomes: [Executor.Outcome]) -> Plan {
        var plan = plan
        // A volume is named by itself: its deletion is no part of a removed spec's.
        let deletes = Dictionary(grouping: outcomes.filter { $0.action.op == .delete && !$0.action.key.isVolumeKey }) {
            HeldDeletions.key(target: $0.action.key.target, name: $0.action.key.name)
        }
        for (key, group) in deletes where group.allSatisfy(\.succeeded) && group.count == plan.orphanSpecs[key] { plan.orphanSpecs[key] = nil }
        return plan
    }

    static func planRecords(_ plan: Plan, owner: String, selection: Set<SpecName>? = nil) -> [JournalRecord] {
        var records = plan.errors.map { JournalRecord.specError($0, owner: owner) }
        var counts = Dictionary(Action.Op.allCases.map { ($0.rawValue, String(plan.count($0))) }, uniquingKeysWith: { a, _ in a })
        counts["held"] = String(plan.held.count)
        if let selection { counts["selection"] = selection.sorted().map(\.rawValue).joined(separator: ",") }
        records.append(JournalRecord(event: "plan", owner: owner, message: plan.notes.joined(separator: "; ").nilIfEmpty,
                                     count: plan.actions.count, detail: counts))
        records += plan.held.map { JournalRecord.action($0, owner: owner, event: "action-held") }
        records += plan.blocked.map { JournalRecord.blocked($0, owner: owner) }
        return records
    }

    static func show(_ event: Executor.Event, progress: Progress, console: Console) {
        switch event {
        case .started(let action): progress.start(action)
        case .succeeded(let action, let attempts):
            console.out("ok [\(progress.step())]: \(action.op.rawValue) \(action.key)" + (attempts > 1 ? " (after \(attempts) attempts)" : "")
                        + " (\(progress.elapsed(action)))")
        case .retrying(let action, let attempt, let delay, let error):
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            console.err("retry: \(action.op.rawValue) \(action.key): attempt \(attempt) failed, retrying in \(String(cFormat: "%.1f", seconds))s: \(error)")
        case .waiting(let action, let dependencies):
            let names = dependencies.map { $0.shown(from: action.key.target) }.joined(separator: ", ")
            console.out("waiting: \(action.op.rawValue) \(action.key): until \(names) \(dependencies.count == 1 ? "is" : "are") done and ready")
        case .failed(let action, let error):
            console.err("failed [\(progress.step())]: \(action.op.rawValue) \(action.key): \(error) (\(progress.elapsed(action)))", style: .red)
        }
    }
}

/// "3/50": how far a long apply has come, counted as actions finish.
final class Progress: @unchecked Sendable {
    private let lock = ThreadLock()
    private var done = 0
    let total: Int
    init(total: Int) { self.total = total }
    func step() -> String { lock.withLock { done += 1; return "\(done)/\(total)" } }

    /// When each action started, for the duration its line ends with.
    private var started: [String: ContinuousClock.Instant] = [:]
    private static func id(_ action: Action) -> String { "\(action.op.rawValue) \(action.key) \(action.existingID ?? "")" }
    func start(_ action: Action) { lock.withLock { started[Self.id(action)] = ContinuousClock.now } }
    /// "1.2s" since the action started ("0.0s" if its start was not heard).
    func elapsed(_ action: Action) -> String {
        let since = lock.withLock { started[Self.id(action)] }
        return Durations.short(since.map { ContinuousClock.now - $0 } ?? .zero)
    }

    /// Image progress lines, kept to be journalled together once the actions are done.
    final class Lines: @unchecked Sendable {
        private let lock = ThreadLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        func take() -> [String] { lock.withLock { defer { lines = [] }; return lines } }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
