import BerthJournal
import BerthModel

/// Crash loops: a container that dies again soon after berth healed it is started again
/// only after an exponentially growing wait (1 s, 2 s, 4 s ... capped at 5 minutes), and the
/// journal says it is crash-looping. A container that stayed up a while starts afresh.
struct Heal: Sendable {
    var count: Int
    var last: ContinuousClock.Instant
}

extension Controller {
    /// How long a container must have run after a heal for the next death to count as new.
    static let stableAfter: Duration = .seconds(60)
    /// 1 s, 2 s, 4 s ... capped at 5 minutes; no jitter, a crash loop is one container's affair.
    static let crashBackoff = RetryPolicy(base: .seconds(1), cap: .seconds(300))

    static func crashWait(_ count: Int) -> Duration { crashBackoff.delay(after: max(count, 1), random: 1) }

    /// Splits a spec's actions into those to do now and, for replicas that died again too
    /// soon after a heal, how long until they may be started. Backoff is per replica: one
    /// container's crash loop never delays healing its siblings.
    func crashLoopSplit(_ key: String, _ actions: [Action]) -> (now: [Action], wait: Duration?) {
        var ready: [Action] = []
        var wait: Duration?
        for action in actions {
            if let delay = crashLoopWait(action) {
                wait = min(wait ?? delay, delay)
            } else {
                ready.append(action)
            }
        }
        return (ready, wait)
    }

    func crashLoopWait(_ action: Action) -> Duration? {
        let healing = action.op == .start || (action.op == .replace && action.reason == "container is dead")
        guard healing else { return nil }
        let id = action.key.description
        let current = now()
        guard let previous = heals[id], current - previous.last < Controller.stableAfter else {
            heals[id] = Heal(count: 1, last: current)
            return nil
        }
        let wait = Controller.crashWait(previous.count)
        let elapsed = current - previous.last
        // Said once per death, also when the wait has already passed (a slow engine takes
        // longer to start a container than the first waits last).
        reportCrashLoop(action, id: id, count: previous.count, next: max(wait - elapsed, .zero))
        if elapsed >= wait {
            heals[id] = Heal(count: previous.count + 1, last: current)
            return nil
        }
        return wait - elapsed
    }

    func reportCrashLoop(_ action: Action, id: String, count: Int, next: Duration) {
        guard crashLoopsReported[id] != count else { return }
        crashLoopsReported[id] = count
        let name = action.key.name.rawValue + (action.key.replica.map { " #\($0)" } ?? "")
        let when = next == .zero ? "starting it again now" : "next start in \(Controller.seconds(next))"
        var fields = LogEvent.Fields(action.key)
        fields.event = "crash-loop"
        fields.attempt = count
        log(LogEvent("\(name) is crash-looping: died \(count) time\(count == 1 ? "" : "s") within \(Controller.seconds(Controller.stableAfter)) of being started; \(when)",
                     level: .warning, fields: fields))
        let entry = JournalRecord(event: "crash-loop", owner: configuration.owner, target: action.key.target.rawValue,
                                  kind: action.key.kind, name: action.key.name.rawValue, replica: action.key.replica,
                                  message: "restarts \(count), \(when)", count: count)
        Task { [journal] in _ = try? await journal.append(entry) }
    }
}
