import BerthDocker
import BerthEngine
import BerthJournal
import BerthModel
import BerthSystem
import Foundation

enum ApplyCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) async -> Int32 {
        let state: StateFolder
        do { state = try StateFolder.open(settings, purpose: "apply") } catch {
            console.err("berth: \(error)")
            return 1
        }
        defer { state.lock.release() }
        let kube = KubePlatform(settings: settings)
        var code: Int32
        var superseded: Bool
        repeat {
            (code, superseded) = await applyOnce(settings: settings, arguments: arguments, console: console, journal: state.journal, kube: kube)
            if superseded { console.out("a newer spec arrived while waiting: applying it") }
        } while superseded
        await kube.stop()
        return code
    }

    /// One observe -> plan -> execute pass, then the rollout wait if asked; `superseded` when
    /// the specs changed while waiting, so the caller applies again.
    static func applyOnce(settings: Settings, arguments: Arguments, console: Console, journal: Journal,
                          kube: KubePlatform) async -> (Int32, superseded: Bool) {
        do {
            let parallel = try arguments.int("parallel", default: 8, range: 1...256)
            let timeout = try Durations.parse(arguments.values["timeout"] ?? "5m", option: "timeout")
            FileDigestCache.shared.persist(at: settings.digestCachePath)
            let fingerprint = SpecFingerprint.now(settings)
            let imageLines = Progress.Lines(), observeRetries = Progress.Lines()
            let reconcile = try await Reconcile.prepare(settings: settings, kube: kube, progress: { line in
                console.err("image: \(line)")
                imageLines.append(line)
            }, retrying: { console.err("retry: \($0)"); observeRetries.append($0) })
            let plan = reconcile.plan(allowMassDelete: arguments.flags.contains("allow-mass-delete"))
            for error in plan.errors { console.err(error.description) }
            for error in reconcile.targetErrors { console.err("berth: \(error)") }
            for spec in plan.blocked { console.err("berth: blocked: \(spec)") }
            console.out(plan.description)
            do {
                try await journal.append(observeRetries.take().map { JournalRecord(event: "observe-retry", owner: settings.owner, error: $0) }
                    + ApplyCommand.planRecords(plan, owner: settings.owner)
                    + reconcile.targetErrors.map { JournalRecord(event: "target-error", owner: settings.owner, error: $0) })
            } catch {
                // Nothing is done that the journal could not record (a full disk, a read-only mount).
                console.err("berth: nothing applied: the journal cannot be written: \(error)")
                return (1, false)
            }

            let progress = Progress(total: plan.actions.count)
            let executor = Executor(
                platforms: reconcile.platforms, journal: journal, parallel: parallel,
                onEvent: { ApplyCommand.show($0, progress: progress, console: console) })
            let outcomes = await executor.execute(plan, owner: settings.owner)
            let failed = outcomes.filter { !$0.succeeded }
            let unrecorded = outcomes.filter(\.journalUnwritable).count
            if unrecorded > 0 {
                console.err("berth: stopped: the journal cannot be written, \(unrecorded) of \(outcomes.count) actions not done")
            }

            try await journal.append(imageLines.take().map { JournalRecord(event: "image", owner: settings.owner, message: $0) })
            let inUse = Set(reconcile.observed.compactMap(\.configHash))
            try ConfigStore.save(settings.configsPath, previous: reconcile.knownConfigs, desired: reconcile.desired.specs, inUse: inUse)
            try await journal.append(JournalRecord(
                event: "apply-end", owner: settings.owner, message: failed.isEmpty ? "converged" : "\(failed.count) failed",
                count: outcomes.count))
            if !outcomes.isEmpty {
                console.out("Applied: \(outcomes.count - failed.count) done, \(failed.count) failed.")
            }
            let applied = failed.isEmpty && plan.errors.isEmpty && reconcile.targetErrors.isEmpty && plan.blocked.isEmpty
            guard applied, arguments.flags.contains("wait") else { return (applied ? 0 : 1, false) }
            let services = SwarmWait.services(outcomes, owner: settings.owner)
            if let swarm = reconcile.platforms.lazy.compactMap({ $0 as? DockerSwarmAdapter }).first, !services.isEmpty,
               let why = await SwarmWait.run(swarm: swarm, services: services, timeout: timeout, console: console) {
                console.err("berth: \(why)")
                try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, target: "swarm", error: why))
                return (1, false)
            }
            guard let adapter = await kube.connected() else { return (0, false) }
            let outcome = await RolloutWait.run(
                adapter: adapter, deployments: RolloutWait.deployments(reconcile), timeout: timeout, console: console,
                superseded: { SpecFingerprint.now(settings) != fingerprint })
            switch outcome {
            case .complete:
                try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, message: "complete"))
                return (0, false)
            case .superseded:
                try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, message: "superseded by a newer spec"))
                return (0, true)
            case .failed(let why):
                console.err("berth: \(why)")
                try await journal.append(JournalRecord(event: "rollout", owner: settings.owner, error: why))
                return (1, false)
            }
        } catch {
            console.err("berth: \(error)")
            _ = try? await journal.append(JournalRecord(event: "apply-end", owner: settings.owner, error: String(describing: error)))
            return (1, false)
        }
    }

    static func planRecords(_ plan: Plan, owner: String) -> [JournalRecord] {
        var records = plan.errors.map { JournalRecord.specError($0, owner: owner) }
        var counts = Dictionary(Action.Op.allCases.map { ($0.rawValue, String(plan.count($0))) }, uniquingKeysWith: { a, _ in a })
        counts["held"] = String(plan.held.count)
        records.append(JournalRecord(event: "plan", owner: owner, message: plan.notes.joined(separator: "; ").nilIfEmpty,
                                     count: plan.actions.count, detail: counts))
        records += plan.held.map { JournalRecord.action($0, owner: owner, event: "action-held") }
        records += plan.blocked.map { JournalRecord.blocked($0, owner: owner) }
        return records
    }

    static func show(_ event: Executor.Event, progress: Progress, console: Console) {
        switch event {
        case .started: break
        case .succeeded(let action, let attempts):
            console.out("ok [\(progress.step())]: \(action.op.rawValue) \(action.key)" + (attempts > 1 ? " (after \(attempts) attempts)" : ""))
        case .retrying(let action, let attempt, let delay, let error):
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            console.err("retry: \(action.op.rawValue) \(action.key): attempt \(attempt) failed, retrying in \(String(format: "%.1f", seconds))s: \(error)")
        case .failed(let action, let error):
            console.err("failed [\(progress.step())]: \(action.op.rawValue) \(action.key): \(error)")
        }
    }
}

/// "3/50": how far a long apply has come, counted as actions finish.
final class Progress: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    let total: Int
    init(total: Int) { self.total = total }
    func step() -> String { lock.withLock { done += 1; return "\(done)/\(total)" } }

    /// Image progress lines, kept to be journalled together once the actions are done.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        func take() -> [String] { lock.withLock { defer { lines = [] }; return lines } }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
