import BerthModel
import BerthSystem
import FoundationEssentials
import Glibc

/// `berth release NAME… | --all`: a person's word that the held deletions of these removed
/// specs may be carried out. It does not take the state folder's lock, so it works while
/// `watch` runs; it then sends the watch SIGHUP so the deletion happens at once.
enum ReleaseCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) throws -> Int32 {
        guard FileSystem.isDirectory(settings.stateDirectory) else {
            console.err("berth: no state folder at \(settings.stateDirectory): nothing is held there (check --state)")
            return ExitCode.failure
        }
        var unknown: [String] = []
        let after = try HeldStore.update(settings) { held in
            var held = held
            let names = arguments.flags.contains("all") ? Set(held.held.map(HeldDeletions.name(of:))) : Set(arguments.positionals)
            unknown = held.release(names: names)
            return held
        }
        let released = after.released.map(HeldDeletions.name(of:)).sorted()
        if !unknown.isEmpty {
            let heldNames = after.held.map(HeldDeletions.name(of:)).sorted()
            console.err("berth: nothing is held for \(unknown.joined(separator: ", "))"
                + (unknown.count == 1 ? Arguments.suggestion(unknown[0], heldNames) : "")
                + (heldNames.isEmpty ? "; no deletion is held" : "; held: \(heldNames.joined(separator: ", "))"))
            return ExitCode.failure
        }
        if released.isEmpty {
            console.out("no deletion is held")
            return ExitCode.ok
        }
        let what = released.count == 1 ? "its resources" : "their resources"
        if let pid = runningWatch(settings) {
            kill(pid, SIGHUP)
            console.out("released \(released.joined(separator: ", ")): the running watch (pid \(pid)) deletes \(what) now")
        } else {
            console.out("released \(released.joined(separator: ", ")): the next apply or watch deletes \(what)")
        }
        return ExitCode.ok
    }

    /// The pid of a watch holding the state folder, read from the lock file (never locking it).
    static func runningWatch(_ settings: Settings) -> pid_t? {
        guard (try? StatusCommand.watchIsRunning(settings)) == .running,
              let bytes = try? FileSystem.readFile(settings.stateDirectory + "/lock") else { return nil }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard lines.count >= 2, lines[1] == "watch", let pid = pid_t(lines[0]) else { return nil }
        return pid
    }
}
