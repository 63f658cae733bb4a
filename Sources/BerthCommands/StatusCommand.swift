import BerthEngine
import BerthJournal
import BerthModel
import BerthSystem
import Foundation

/// `berth status [--json]`: per spec, desired and running replicas, whether the config hash
/// matches, the last action and error. While a watch holds the state folder it reads the
/// watch's state/status.json; otherwise it observes the engine itself.
enum StatusCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) async throws -> Int32 {
        let kube = KubePlatform(settings: settings)
        do {
            let code = try await run(settings: settings, arguments: arguments, console: console, kube: kube)
            await kube.stop()
            return code
        } catch {
            await kube.stop()
            throw error
        }
    }

    static func run(settings: Settings, arguments: Arguments, console: Console, kube: KubePlatform) async throws -> Int32 {
        let statusPath = settings.stateDirectory + "/status.json"
        var report: StatusReport
        var source: String
        if watchIsRunning(settings), let written = StatusFile.read(statusPath) {
            report = written
            source = "from the running watch, \(written.time)"
        } else {
            let reconcile = try await Reconcile.prepare(settings: settings, kube: kube)
            let plan = reconcile.plan(allowMassDelete: false)
            report = StatusReport.make(owner: settings.owner, time: Timestamp.rfc3339(Date()), engine: "ok",
                                       desired: reconcile.desired, observed: reconcile.observed, notes: plan.notes, records: [:],
                                       context: reconcile.context, blocked: plan.blocked)
            source = "observed now"
        }
        if arguments.flags.contains("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            console.out(String(decoding: try encoder.encode(report), as: UTF8.self))
            return 0
        }
        console.out("owner \(report.owner) (\(source)); engine \(report.engine)")
        let header = ["TARGET", "KIND", "NAME", "REPLICAS", "CONFIG", "LAST ACTION", "LAST ERROR"]
        var rows = [header]
        for e in report.entries {
            rows.append([e.target, e.kind, e.name, "\(e.runningReplicas)/\(e.desiredReplicas)",
                         e.configHashMatches ? "current" : "differs",
                         [e.lastAction, e.lastActionTime].compactMap { $0 }.joined(separator: " at ").nilIfEmpty ?? "-",
                         e.lastError.map { String($0.prefix(80)) } ?? "-"])
        }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max()! }
        for row in rows {
            console.out(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces))
        }
        for rollout in report.entries.flatMap({ $0.rollouts ?? [] }) { console.out(StatusCommand.describe(rollout)) }
        for e in report.entries { if let keys = e.unmanaged {
            console.out("unmanaged: \(e.target) \(e.kind) \(e.name): \(keys.joined(separator: ", ")) (not berth's: not reverted, and not sent with berth's next update of it; put them in the spec to keep them)")
        } }
        for error in report.errors { console.out("error: \(error)") }
        for note in report.notes { console.out("note: \(note)") }
        return 0
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

    static func watchIsRunning(_ settings: Settings) -> Bool {
        guard FileSystem.exists(settings.stateDirectory) else { return false }
        do {
            let lock = try StateLock.acquire(stateDirectory: settings.stateDirectory, purpose: "status")
            lock.release()
            return false
        } catch {
            return true
        }
    }
}
