import BerthJSON
import BerthJournal
import BerthModel
import BerthSystem
import FoundationEssentials

/// state/held.json: the deletions the guard holds until a person releases them. `watch`,
/// `apply` and `release` change it under state/held.lock, re-reading it inside the lock so a
/// release made while watch plans is never lost.
enum HeldStore {
    static func path(_ settings: Settings) -> String { settings.stateDirectory + "/held.json" }

    static func load(_ settings: Settings) -> HeldDeletions {
        guard let bytes = try? StateFolderGuard.read(path(settings)), let root = try? JSONParser.parse(bytes) else {
            return HeldDeletions()
        }
        return HeldDeletions(json: root.value)
    }

    /// Applies `change` to the file's current content and writes the result if it differs.
    @discardableResult
    static func update(_ settings: Settings, _ change: (HeldDeletions) throws -> HeldDeletions) throws -> HeldDeletions {
        try FileMutex.withLock(settings.stateDirectory + "/held.lock") {
            let before = load(settings)
            let after = try change(before)
            if after != before {
                try StateFolderGuard.write(Array((after.json.serialized(pretty: true) + "\n").utf8), to: path(settings))
            }
            return after
        }
    }

    /// After a full pass: what the guard holds now, forgetting specs that came back or are gone.
    static func record(_ plan: Plan, observedTargets: Set<TargetName>, settings: Settings) throws {
        guard plan.held.isEmpty == false || !load(settings).entries.isEmpty else { return }
        try update(settings) {
            $0.updated(orphans: plan.orphanSpecs, guardHeld: plan.guardHeld, observedTargets: Set(observedTargets.map(\.rawValue)),
                       now: Timestamp.rfc3339(Date()))
        }
    }
}
