import BerthJournal
import BerthModel

/// A spec whose actions failed waits out its backoff, whatever wakes it: its own actions make
/// engine events (a container destroyed, a service updated) that would otherwise try again
/// at once, so a failing build ran 19 times a minute. A new spec content is not held.
struct Hold: Sendable {
    var until: ContinuousClock.Instant
    /// The config hash the failed actions carried ("" for deletions).
    var content: String
    /// The engine refused the content (4xx): held with no end until the content changes.
    var refused = false
}

extension Controller {
    /// Whether the engine refused this very spec content: then it waits for an edit, not for time.
    func stillRefused(_ key: String, _ desired: DesiredState) -> Bool {
        guard let hold = holds[key], hold.refused else { return false }
        guard content(key, desired) == hold.content else {
            holds[key] = nil
            return false
        }
        return true
    }

    func content(_ key: String, _ desired: DesiredState) -> String {
        desired.specs.first { $0.target.qualifying($0.name) == key }?.configHash ?? ""
    }

    /// How long `key` must still wait, or nil when it may act now.
    func held(_ key: String, _ desired: DesiredState) -> Duration? {
        guard let hold = holds[key], !hold.refused else { return nil }
        let content = content(key, desired)
        let left = hold.until - now()
        guard content == hold.content, left > .zero else {
            holds[key] = nil
            return nil
        }
        return left
    }

    /// Blocked spec contents (Swarm rolled the update back, paused it, the engine dropped
    /// keys) are said once when they change, journalled, and shown in status.
    func reportBlocked(_ blocked: [BlockedSpec]) async {
        let before = Set(lastBlocked.map(\.description))
        lastBlocked = blocked
        for spec in blocked where !before.contains(spec.description) {
            log("blocked: \(spec)")
            await record(JournalRecord.blocked(spec, owner: configuration.owner))
        }
    }
}
