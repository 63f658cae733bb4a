import BerthJournal
import BerthModel
import BerthSystem
import FoundationEssentials

/// Turns what the controller tells its observers into notifications on transitions only, not
/// on every pass: `converged` (once when reached, again for a new revision), `failed` (when a
/// problem appears that was not announced yet), `deletions-held` (when a removed spec starts
/// waiting for a person), `target-lost` and `target-back`. Events go to `send` (the
/// `NotificationQueue`) at once; deciding takes a lock for moments only.
public final class WatchNotifier: ControllerObserver, @unchecked Sendable {
    private struct State {
        /// nil until the first pass says either way.
        var converged: Bool?
        var convergedRevision: String?
        var announcedProblems: Set<String> = []
        var announcedHeld: Set<String> = []
        var lostTargets: Set<String> = []
    }

    private let lock = ThreadLock()
    private var state = State()
    private let owner: String
    private let revision: @Sendable () -> String?
    private let clock: @Sendable () -> Date
    private let send: @Sendable (NotificationEvent) -> Void

    public init(owner: String, revision: @escaping @Sendable () -> String? = { nil },
                clock: @escaping @Sendable () -> Date = { Date() }, send: @escaping @Sendable (NotificationEvent) -> Void) {
        self.owner = owner; self.revision = revision; self.clock = clock; self.send = send
    }

    public func passFinished(_ pass: PassSummary) {
        let revision = pass.converged ? self.revision() : nil
        let event: NotificationEvent? = lock.withLock {
            if pass.converged {
                defer { state.converged = true; state.convergedRevision = revision; state.announcedProblems = [] }
                guard state.converged != true || state.convergedRevision != revision else { return nil }
                return converged(pass.report, revision: revision)
            }
            state.converged = false
            // A lost target is its own event (target-lost): not said twice.
            let lost = state.lostTargets
            let problems = Set(pass.errors.filter { line in !lost.contains { line.hasPrefix("\($0) unreachable since ") } })
            defer { state.announcedProblems = problems }
            guard !problems.subtracting(state.announcedProblems).isEmpty else { return nil }
            return failed(pass.errors)
        }
        event.map(send)
    }

    public func heldDeletions(count: Int, names: [String]) {
        let event: NotificationEvent? = lock.withLock {
            let now = Set(names)
            defer { state.announcedHeld = now }
            guard !now.subtracting(state.announcedHeld).isEmpty else { return nil }
            let list = names.sorted()
            return make("deletions-held",
                        "deletion of \(count) removed spec\(count == 1 ? "" : "s") held for a person: \(list.joined(separator: ", ")); " +
                        "carry it out with `berth release \(Set(list.map { String($0.split(separator: "/").last ?? "") }).sorted().joined(separator: " "))`",
                        ["count": .number(String(count)), "names": .array(list.map { .string($0) })])
        }
        event.map(send)
    }

    public func reachabilityChanged(target: String, reachable: Bool, cause: String?) {
        let event: NotificationEvent? = lock.withLock {
            if reachable {
                // The first answer of a target is no news; an answer after a loss is.
                guard state.lostTargets.remove(target) != nil else { return nil }
                return make("target-back", "\(target) is reachable again; reconciling",
                            ["target": .string(target), "cause": .string("answers again")])
            }
            guard state.lostTargets.insert(target).inserted else { return nil }
            let said = cause ?? "no answer"
            return make("target-lost", "\(target) is unreachable (\(said)); berth keeps running and reconciles when it is back",
                        ["target": .string(target), "cause": .string(said)])
        }
        event.map(send)
    }

    private func converged(_ report: StatusReport, revision: String?) -> NotificationEvent {
        let specs = report.entries.filter { $0.config != "removed" }
        let running = specs.reduce(0) { $0 + $1.runningReplicas }
        var fields: [String: JSONValue] = ["specs": .number(String(specs.count)), "running": .number(String(running))]
        if let revision { fields["revision"] = .string(revision) }
        let at = revision.map { " at revision \($0)" } ?? ""
        return make("converged", "\(specs.count) spec\(specs.count == 1 ? "" : "s") converged\(at), \(running) running", fields)
    }

    private func failed(_ errors: [String]) -> NotificationEvent {
        let first = errors.first ?? "?"
        let more = errors.count > 1 ? " (and \(errors.count - 1) more)" : ""
        return make("failed", "\(errors.count) problem\(errors.count == 1 ? "" : "s"): \(first)\(more)",
                    ["errors": .array(errors.map { .string($0) })])
    }

    private func make(_ event: String, _ message: String, _ fields: [String: JSONValue]) -> NotificationEvent {
        NotificationEvent(event: event, owner: owner, time: Timestamp.rfc3339(clock()), message: "\(owner): \(message)", fields: fields)
    }
}
