import BerthEngine
import BerthJournal
import BerthModel
import BerthSource
import BerthSystem
import FoundationEssentials

/// `berth status [--json]`: per spec, desired and observed replicas, whether what runs was
/// made from the current configuration, the last action and error; the state of every
/// target in use; deletions held and invalid files. While a watch holds the state folder it
/// reads the watch's state/status.json (which the watch rewrites when a target goes or comes
/// back); otherwise it observes the targets itself. Exit 1 when a target in use cannot be reached.
enum StatusCommand {
    static func run(settings given: Settings, arguments: Arguments, console: Console) async throws -> Int32 {
        var settings = given
        // A state folder a `--git` watch or apply used: its specs are the revision in force.
        if arguments.values["specs"] == nil, let source = GitSource.readStatus(stateDirectory: settings.stateDirectory) {
            settings.specsDirectory = settings.gitDirectory + "/current" + (source.path.isEmpty ? "" : "/" + source.path)
            if arguments.values["owner"] == nil, let owner = source.owner { settings.owner = owner }
        }
        let registry = TargetRegistry.build(settings)
        do {
            let code = try await run(settings: settings, arguments: arguments, console: console, registry: registry)
            await registry.stop()
            return code
        } catch {
            await registry.stop()
            throw error
        }
    }

    static func run(settings: Settings, arguments: Arguments, console: Console, registry: TargetRegistry) async throws -> Int32 {
        let statusPath = settings.stateDirectory + "/status.json"
        var report: StatusReport
        var source: String
        let watch = try watchIsRunning(settings)
        if watch == .running, let written = StatusFile.read(statusPath) {
            report = written
            source = "from the running watch, \(written.time)"
        } else {
            report = await observeNow(settings: settings, registry: registry)
            source = "observed now" + (watch.doubt.map { "; cannot tell whether a watch is running: \($0)" } ?? "")
        }
        report.source = GitSource.readStatus(stateDirectory: settings.stateDirectory)
        if arguments.flags.contains("json") {
            console.out(try json(report))
        } else {
            show(report, source: source, console: console)
        }
        return (report.targets ?? []).contains { $0.state != "ok" } || report.engine.hasPrefix("not asked") ? ExitCode.failure : ExitCode.ok
    }

    /// The JSON of `status --json`, also what the watch's listener answers on GET /status.
    static func json(_ report: StatusReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// Without a watch: observe and plan now; a target that cannot be reached is said, and
    /// its specs are listed with what cannot be known marked as such.
    static func observeNow(settings: Settings, registry: TargetRegistry) async -> StatusReport {
        let now = Timestamp.rfc3339(Date())
        let records = JournalSummary.lastActions(settings)
        do {
            let reconcile = try await Reconcile.prepare(settings: settings, registry: registry, nothingAnswered: false)
            let plan = reconcile.plan()
            var report = StatusReport.make(owner: settings.owner, time: now, engine: "ok", desired: reconcile.desired,
                                           observed: reconcile.observed, notes: plan.notes, records: records, context: reconcile.context,
                                           blocked: plan.blocked)
            let failed = reconcile.targetFailures
            report.targets = reconcile.contacted.sorted().map { target in
                failed[target].map { StatusReport.Target(name: target.rawValue, state: "unreachable", since: now, error: $0) }
                    ?? StatusReport.Target(name: target.rawValue, state: "ok")
            }
            report.entries += unknownEntries(reconcile.desired.specs.count, settings: settings, failed: Set(failed.keys))
            report.engine = StatusReport.engineWord(report.targets ?? [])
            report.held = StatusReport.held(HeldStore.load(settings))
            report.errors = plan.errors.map(\.description)
            return report
        } catch {
            // The specs or the state folder could not be read: no target was asked.
            var report = StatusReport.make(owner: settings.owner, time: now, engine: "not asked", desired: DesiredState(specs: []),
                                           observed: [], notes: [], records: records)
            report.errors = ["\(error)"]
            report.engine = "not asked (\(error))"
            report.held = StatusReport.held(HeldStore.load(settings))
            return report
        }
    }

    /// The specs of targets that could not be observed: what runs there is unknown, not zero.
    static func unknownEntries(_: Int, settings: Settings, failed: Set<TargetName>) -> [StatusReport.Entry] {
        guard !failed.isEmpty, let desired = try? SpecFolder.load(settings.specsDirectory, catalog: settings.catalog, stateDirectory: settings.stateDirectory) else { return [] }
        return desired.specs.filter { failed.contains($0.target) }.map(StatusReport.unknown)
    }

    static func show(_ report: StatusReport, source: String, console: Console) {
        // With named targets (berth.json) the first line counts targets; without, it is v1's "engine".
        let targets = report.targets ?? []
        if targets.contains(where: { !TargetName($0.name).isImplicit }) {
            let down = targets.filter { $0.state != "ok" }.map(\.name)
            console.out("owner \(report.owner) (\(source)); targets: \(targets.count - down.count) ok"
                        + (down.isEmpty ? "" : ", \(down.count) unreachable (\(down.joined(separator: ", ")))"))
        } else {
            console.out("owner \(report.owner) (\(source)); engine \(report.engine)")
        }
        for line in report.source?.lines ?? [] { console.out(line) }
        for target in report.targets ?? [] where target.state != "ok" || target.name != TargetName.docker.rawValue {
            let since = target.since.map { " since \($0)" } ?? ""
            console.out("target \(target.name): \(target.state)\(since)" + (target.error.map { ": \($0)" } ?? ""))
        }
        let header = ["TARGET", "KIND", "NAME", "REPLICAS", "CONFIG", "LAST ACTION", "LAST ERROR"]
        var rows = [header]
        for e in report.entries {
            let unknown = e.config == "unknown"
            let replicas = unknown ? "?/\(e.desiredReplicas)"
                : e.objects.map { "\($0) object\($0 == 1 ? "" : "s")" } ?? "\(e.runningReplicas)/\(e.desiredReplicas)"
            let replicasText = replicas + (e.intent.map { " \($0)" } ?? "") + (e.health.map { " \($0)" } ?? "")
            var error = e.lastError.map { String($0.prefix(80)) }
            // A container stopped by its spec exits on purpose: its exit code is no error.
            if e.intent != "stopped (by spec)", let code = e.lastExitCode, e.runningReplicas < e.desiredReplicas || error == nil && code != 0 {
                error = "exited \(code)" + (e.lastDeath.map { " at \($0)" } ?? "") + (error.map { "; \($0)" } ?? "")
            }
            rows.append([e.target, e.kind, e.name, replicasText,
                         e.config ?? (e.configHashMatches ? "current" : "differs"),
                         [e.lastAction, e.lastActionTime].compactMap { $0 }.joined(separator: " at ").nilIfEmpty ?? "-",
                         error ?? "-"])
        }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max()! }
        for row in rows {
            console.out(zip(row, widths).map { $0.paddedWithSpaces(to: $1) }.joined(separator: "  ")
                .trimmingWhitespace())
        }
        for rollout in report.entries.flatMap({ $0.rollouts ?? [] }) { console.out(StatusCommand.describe(rollout)) }
        for held in report.held ?? [] {
            console.out("held: deletion of removed spec " + TargetName(held.target).qualifying(SpecName(held.spec)) + " (\(held.resources) resource\(held.resources == 1 ? "" : "s")) since \(held.since)"
                + (held.released ? ", released: deleted on the next pass" : "; berth release \(held.spec) carries it out"))
        }
        for file in report.invalidFiles ?? [] { console.out("invalid: \(file)") }
        for e in report.entries { if let keys = e.unmanaged {
            console.out("unmanaged: \(e.target) \(e.kind) \(e.name): \(keys.joined(separator: ", ")) (not berth's: not reverted, and not sent with berth's next update of it; put them in the spec to keep them)")
        } }
        for error in report.errors { console.out("error: \(error)") }
        for note in report.notes { console.out("note: \(note)") }
    }

    /// One line per Deployment: where its rollout stands and the conditions behind it.
    static func describe(_ r: KubeRollout) -> String {
        func condition(_ name: String, _ c: KubeRollout.Condition?) -> String? {
            c.map { "\(name)=\($0.status)" + ($0.reason.map { " \($0)" } ?? "") }
        }
        let conditions = [condition("Progressing", r.progressing), condition("Available", r.availableCondition)].compactMap { $0 }
        return "rollout \(r.object): \(r.phase.rawValue), \(r.message) (generation \(r.observedGeneration)/\(r.generation) observed; "
            + "updated \(r.updated), ready \(r.ready), available \(r.available) of \(r.desired)"
            + (conditions.isEmpty ? "" : "; " + conditions.joined(separator: ", ")) + ")"
    }

    /// Whether a watch holds the state folder, probed without taking its lock or writing
    /// anything (the folder is not created either). A lock that cannot be opened or tested
    /// is `.cannotTell`: status.json is then not presented as the running watch's.
    static func watchIsRunning(_ settings: Settings) throws -> WatchPresence {
        guard try StateFolder.inspect(settings) else { return .notRunning }
        let probe: LockState
        do { probe = try StateLock.probe(stateDirectory: settings.stateDirectory) } catch let refusal as StateFolderRefusal {
            throw BerthError(.refused, refusal.message)
        }
        switch probe {
        case .free: return .notRunning
        // An apply holding the folder is not a watch: its status.json would be stale.
        case .held(_, let purpose): return purpose == "watch" ? .running : .notRunning
        case .unknown(let reason): return .cannotTell(reason)
        }
    }

    enum WatchPresence: Equatable {
        case running, notRunning
        case cannotTell(String)

        var doubt: String? {
            if case .cannotTell(let reason) = self { return reason }
            return nil
        }
    }
}

/// Without a watch, the last action of each spec comes from the journal.
enum JournalSummary {
    static func lastActions(_ settings: Settings) -> [String: SpecRecord] {
        guard let journal = try? JournalReader.read(path: settings.journalPath) else { return [:] }
        var out: [String: SpecRecord] = [:]
        for r in journal.records where r.event == "action-ok" || r.event == "action-failed" {
            guard let target = r.target, let name = r.name, let op = r.op else { continue }
            let key = TargetName(target).qualifying(SpecName(name))
            var entry = out[key] ?? SpecRecord()
            entry.lastAction = op + (r.replica.map { " #\($0)" } ?? "")
            entry.lastActionTime = r.time
            entry.lastError = r.event == "action-failed" ? r.error : nil
            out[key] = entry
        }
        return out
    }
}
