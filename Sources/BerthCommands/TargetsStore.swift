import BerthJSON
import BerthJournal
import BerthSystem

/// state/targets.json: the targets where berth has made something for this state folder. With
/// the targets the specs name, it decides which targets are contacted at all: a Kubernetes-only
/// folder never talks to a Docker Engine, yet a target whose last spec was removed is still
/// observed, so what berth made there is found (and its deletion guarded).
enum TargetsStore {
    static func path(_ settings: Settings) -> String { settings.stateDirectory + "/targets.json" }

    /// Without a record (a state folder from before this file existed), the targets the
    /// journal says berth acted on, so nothing made earlier is overlooked.
    static func load(_ settings: Settings) -> Set<String> {
        guard let bytes = try? StateFolderGuard.read(path(settings)) else {
            guard let journal = try? JournalReader.read(path: settings.journalPath) else { return [] }
            return Set(journal.records.filter { $0.event == "action-ok" }.compactMap(\.target))
        }
        guard let root = try? JSONParser.parse(bytes), let list = root.value.arrayValue else { return ["docker", "swarm", "kubernetes"] }
        return Set(list.compactMap(\.stringValue))
    }

    static func save(_ targets: Set<String>, _ settings: Settings) {
        try? StateFolderGuard.write(Array((JSONValue.array(targets.sorted().map { .string($0) }).serialized() + "\n").utf8), to: path(settings))
    }
}
