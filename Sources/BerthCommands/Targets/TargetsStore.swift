import BerthJSON
import BerthJournal
import BerthModel
import BerthSystem

/// state/targets.json: the targets where berth has made something for this state folder. With
/// the targets the specs name, it decides which targets are contacted at all: a Kubernetes-only
/// folder never talks to a Docker Engine, yet a target whose last spec was removed is still
/// observed, so what berth made there is found (and its deletion guarded).
enum TargetsStore {
    static func path(_ settings: Settings) -> String { settings.stateDirectory + "/targets.json" }

    /// Without a record (a state folder from before this file existed), the targets the
    /// journal says berth acted on, so nothing made earlier is overlooked.
    static func load(_ settings: Settings) -> Set<TargetName> {
        guard let bytes = try? StateFolderGuard.read(path(settings)) else {
            guard let journal = try? JournalReader.read(path: settings.journalPath) else { return [] }
            return Set(journal.records.filter { $0.event == "action-ok" }.compactMap(\.target).map(TargetName.init(rawValue:)))
        }
        guard let root = try? JSONParser.parse(bytes), let list = root.value.arrayValue else { return Set(TargetName.implicit) }
        return Set(list.compactMap(\.stringValue).map(TargetName.init(rawValue:)))
    }

    static func save(_ targets: Set<TargetName>, _ settings: Settings) {
        try? StateFolderGuard.write(Array((JSONValue.array(targets.sorted().map { .string($0.rawValue) }).serialized() + "\n").utf8), to: path(settings))
    }
}
