import BerthModel
import FoundationEssentials
import Synchronization

/// The controller's log lines with their fields (`--log-format json`); the text of each is
/// what it always was.
extension Controller {
    /// Each executor event as a log line, timing every action from its start.
    final class ActionLog: Sendable {
        let log: @Sendable (LogEvent) -> Void
        let revision: @Sendable () -> String?
        private let started = Mutex<[ResourceKey: ContinuousClock.Instant]>([:])

        init(log: @escaping @Sendable (LogEvent) -> Void, revision: @escaping @Sendable () -> String?) {
            self.log = log; self.revision = revision
        }

        func record(_ event: Executor.Event) {
            let now = ContinuousClock.now
            switch event {
            case .started(let action):
                started.withLock { $0[action.key] = now }
                return
            case .waiting:
                return
            case .succeeded(let action, let attempts):
                var fields = fields(action, attempt: attempts, now: now, finished: true)
                fields.event = "action"
                log(LogEvent(Controller.describe(event) ?? "", fields: fields))
            case .retrying(let action, let attempt, _, let error):
                var fields = fields(action, attempt: attempt, now: now, finished: false)
                fields.event = "action-retry"
                fields.error = error
                log(LogEvent(Controller.describe(event) ?? "", level: .warning, fields: fields))
            case .failed(let action, let error):
                var fields = fields(action, attempt: nil, now: now, finished: true)
                fields.event = "action-failed"
                fields.error = error
                log(LogEvent(Controller.describe(event) ?? "", level: .error, fields: fields))
            }
        }

        private func fields(_ action: Action, attempt: Int?, now: ContinuousClock.Instant, finished: Bool) -> LogEvent.Fields {
            var fields = LogEvent.Fields(action.key)
            fields.op = action.op.rawValue
            fields.reason = action.reason
            fields.attempt = attempt
            fields.revision = revision()
            let start = started.withLock { finished ? $0.removeValue(forKey: action.key) : $0[action.key] }
            if let start { fields.durationMs = Int((now - start) / .milliseconds(1)) }
            return fields
        }
    }

    /// "web: 2 actions failed; retrying in 4s", with the key's target and name.
    static func retryEvent(_ key: String, failed: [Executor.Outcome], delay: Duration, attempt: Int?) -> LogEvent {
        var fields = LogEvent.Fields(key: key)
        fields.event = "retry"
        fields.attempt = attempt
        fields.error = failed.first?.error
        return LogEvent("\(key): \(failed.count) action\(failed.count == 1 ? "" : "s") failed; retrying in \(Controller.seconds(delay))",
                        level: .warning, fields: fields)
    }

    static func refusedEvent(_ key: String, error: String?) -> LogEvent {
        var fields = LogEvent.Fields(key: key)
        fields.event = "refused"
        fields.error = error
        return LogEvent("\(key): the engine refused it; not tried again until the spec changes", level: .error, fields: fields)
    }

    static func engineDownEvent(_ error: any Error, target: String) -> LogEvent {
        var fields = LogEvent.Fields()
        fields.event = "engine-down"
        fields.target = target
        fields.error = "\(error)"
        return LogEvent("engine is gone (\(error)); berth keeps running and reconciles when it is back", level: .warning, fields: fields)
    }

    static func targetDownEvent(_ error: any Error, target: String) -> LogEvent {
        var fields = LogEvent.Fields()
        fields.event = "target-down"
        fields.target = target
        fields.error = "\(error)"
        return LogEvent("target \(target) is unreachable (\(error)); its specs are left as they are, the other targets go on, and it is reconciled when it answers",
                        level: .warning, fields: fields)
    }

    static func observeFailedEvent(_ error: any Error, target: String) -> LogEvent {
        var fields = LogEvent.Fields()
        fields.event = "observe-failed"
        fields.target = target
        fields.error = "\(error)"
        return LogEvent("observing failed: \(error)", level: .error, fields: fields)
    }

    static func specErrorEvent(_ error: SpecError) -> LogEvent {
        var fields = LogEvent.Fields()
        fields.event = "spec-error"
        fields.error = error.description
        return LogEvent(error.description, level: .error, fields: fields)
    }
}

extension LogEvent.Fields {
    init(_ key: ResourceKey) {
        self.init()
        target = key.target.rawValue; kind = key.kind; name = key.name.rawValue; replica = key.replica
    }

    /// A work-queue key: "*", or "target/name".
    init(key: String) {
        self.init()
        guard key != Controller.everything, let slash = key.firstIndex(of: "/") else { return }
        target = String(key[..<slash]); name = String(key[key.index(after: slash)...])
    }
}
