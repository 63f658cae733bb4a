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
    static let crashCap: Duration = .seconds(300)

    static func crashWait(_ count: Int) -> Duration {
        let wait = Duration.seconds(1) * (1 << min(max(count - 1, 0), 20))
        return wait > crashCap ? crashCap : wait
    }

    /// nil: act now (and remember the heal). Otherwise: how long to wait before trying again.
    func crashLoopWait(_ key: String, _ actions: [Action]) -> Duration? {
        let healing = actions.contains { $0.op == .start || ($0.op == .replace && $0.reason == "container is dead") }
        guard healing else { return nil }
        let current = now()
        guard let previous = heals[key], current - previous.last < Controller.stableAfter else {
            heals[key] = Heal(count: 1, last: current)
            return nil
        }
        let wait = Controller.crashWait(previous.count)
        let elapsed = current - previous.last
        if elapsed >= wait {
            heals[key] = Heal(count: previous.count + 1, last: current)
            return nil
        }
        if records[key]?.crashLoopReported != previous.count {
            records[key, default: SpecRecord()].crashLoopReported = previous.count
            log("\(key) is crash-looping: died \(previous.count) time\(previous.count == 1 ? "" : "s") within \(Controller.seconds(Controller.stableAfter)) of being started; next start in \(Controller.seconds(wait - elapsed))")
            let entry = JournalRecord(event: "crash-loop", owner: configuration.owner, target: actions[0].key.target,
                                      kind: actions[0].key.kind, name: actions[0].key.name,
                                      message: "restarts \(previous.count), next start in \(Controller.seconds(wait - elapsed))",
                                      count: previous.count)
            Task { [journal] in _ = try? await journal.append(entry) }
        }
        return wait - elapsed
    }
}
