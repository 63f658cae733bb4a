import BerthJSON
import BerthModel
import BerthSource
import BerthSystem
import FoundationEssentials
import Glibc

/// state/suspended.json: spec names a person suspended with `berth suspend` (Flux's and Argo
/// CD's suspend). Changed under state/suspended.lock, written atomically (mode 0600), read by
/// every plan: a running watch sees a change at its next pass.
enum SuspendStore {
    static func path(_ settings: Settings) -> String { settings.stateDirectory + "/suspended.json" }

    /// `{"suspended": ["web", ...]}`; an absent or unreadable file suspends nothing.
    static func load(_ settings: Settings) -> Set<SpecName> {
        guard let bytes = try? StateFolderGuard.read(path(settings)), let root = try? JSONParser.parse(bytes) else { return [] }
        return Set(root.value["suspended"]?.arrayValue?.compactMap { $0.stringValue.map { SpecName($0) } } ?? [])
    }

    /// Applies `change` to the file's current names and writes the result if it differs.
    @discardableResult
    static func update(_ settings: Settings, _ change: (Set<SpecName>) -> Set<SpecName>) throws -> Set<SpecName> {
        try FileMutex.withLock(settings.stateDirectory + "/suspended.lock") {
            let before = load(settings)
            let after = change(before)
            if after != before {
                let json = JSONValue.object(["suspended": .array(after.sorted().map { .string($0.rawValue) })])
                try StateFolderGuard.write(Array((json.serialized(pretty: true) + "\n").utf8), to: path(settings))
            }
            return after
        }
    }
}

/// `berth suspend NAME…` and `berth resume NAME…`: no actions and no healing for these specs
/// until resumed. Like `release`, they do not take the state folder's lock, so they work while
/// `watch` runs, and send the watch SIGHUP so the change counts at once.
enum SuspendCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console, suspend: Bool) throws -> Int32 {
        try StateFolderGuard.prepare(settings.stateDirectory, specsDirectory: settings.specsDirectory)
        let names = Set(arguments.positionals.map { SpecName($0) })
        var unchanged: Set<SpecName> = []
        try SuspendStore.update(settings) { current in
            unchanged = suspend ? names.intersection(current) : names.subtracting(current)
            return suspend ? current.union(names) : current.subtracting(names)
        }
        let changed = names.subtracting(unchanged).sorted().map(\.rawValue)
        // A name no spec has now is kept all the same (a spec added under it later is left
        // alone), but a typo should not pass unseen.
        if suspend, let desired = try? SpecFolder.load(settings.specsDirectory, catalog: settings.catalog, stateDirectory: settings.stateDirectory) {
            let known = Set(desired.specs.map(\.name))
            for name in changed where !known.contains(SpecName(name)) {
                console.err("note: no spec in \(settings.specsDirectory) is named \(name) now" + Arguments.suggestion(name, known.sorted().map(\.rawValue))
                    + "; it is suspended all the same (`berth resume \(name)` undoes it)")
            }
        }
        let word = suspend ? "suspended" : "resumed"
        for name in unchanged.sorted() { console.out("\(name) was already \(suspend ? "suspended" : "not suspended")") }
        guard !changed.isEmpty else { return ExitCode.ok }
        let what = suspend ? "berth leaves \(changed.count == 1 ? "it" : "them") alone" : "berth reconciles \(changed.count == 1 ? "it" : "them") again"
        if let pid = ReleaseCommand.runningWatch(settings) {
            kill(pid, SIGHUP)
            console.out("\(word) \(changed.joined(separator: ", ")): the running watch (pid \(pid)) sees it now; \(what)")
        } else {
            console.out("\(word) \(changed.joined(separator: ", ")): \(what) from the next plan, apply or watch")
        }
        return ExitCode.ok
    }
}
