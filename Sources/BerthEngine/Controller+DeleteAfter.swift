import BerthJournal
import BerthModel
import FoundationEssentials
import Glibc

/// `watch --delete-after`: a spec whose file disappears is deleted only once it has stayed
/// gone that long. An editor or a script that moves a file out and back (`mv a.json ..; mv
/// ../a.json .`), or a sync tool that removes and rewrites, must not delete and recreate a
/// running container. `apply` is not a controller and deletes at once.
extension Controller {
    /// How long the removal of `key`'s spec must still wait, or nil when its actions may go
    /// ahead (they are not a removal, the delay is over, or there is no delay).
    func deletionWait(_ key: String, _ actions: [Action]) -> Duration? {
        let removal = !actions.isEmpty && actions.allSatisfy { $0.op == .delete && $0.reason.hasPrefix("spec removed") }
        let delay = configuration.deleteAfter
        guard removal, delay > .zero else {
            goneSince[key] = nil
            deletionsWaiting[key] = nil
            return nil
        }
        let since = goneSince[key] ?? now()
        goneSince[key] = since
        let left = since + delay - now()
        guard left > .zero else {
            goneSince[key] = nil
            deletionsWaiting[key] = nil
            return nil
        }
        if deletionsWaiting[key] == nil {
            let until = Date().addingTimeInterval(Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18)
            let line = "deletion of \(Controller.name(of: key)) waits until \(Controller.clockTime(until)) "
                + "(file gone; --delete-after \(Controller.shortDuration(delay)))"
            deletionsWaiting[key] = line
            var fields = LogEvent.Fields(key: key)
            fields.event = "deletion-waiting"
            log(LogEvent(line, fields: fields))
        }
        return left
    }

    /// Specs that came back while their deletion waited: nothing is deleted, and the log says so.
    func callOffDeletions(_ desired: DesiredState) {
        guard !goneSince.isEmpty else { return }
        let present = Set(desired.specs.map { $0.target.qualifying($0.name) })
        for key in goneSince.keys.sorted() where present.contains(key) {
            goneSince[key] = nil
            deletionsWaiting[key] = nil
            log("\(Controller.name(of: key)) is back before --delete-after ran out: nothing is deleted")
        }
    }

    /// After a removed spec's deletion: if its file came back meanwhile, the spec is created
    /// again at once, and the log says why a container just deleted reappears.
    func recreateIfBack(_ key: String, _ actions: [Action]) async {
        guard actions.contains(where: { $0.op == .delete && $0.reason.hasPrefix("spec removed") }) else { return }
        let present = load().specs.contains { $0.target.qualifying($0.name) == key }
        guard present else { return }
        log("\(Controller.name(of: key)): its file came back while it was being deleted; creating it again")
        await queue.add(key)
    }

    static func name(of key: String) -> String {
        key.firstIndex(of: "/").map { String(key[key.index(after: $0)...]) } ?? key
    }

    /// "12:00:05", the local time a waiting deletion goes ahead.
    static func clockTime(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down)), local = tm()
        var text = [CChar](repeating: 0, count: 16)
        guard localtime_r(&seconds, &local) != nil, strftime(&text, text.count, "%H:%M:%S", &local) > 0 else { return "?" }
        return String(cString: text)
    }

    /// "5s", "1.5s", "500ms": as the option was given.
    static func shortDuration(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms < 1000 { return "\(ms)ms" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return seconds(d)
    }
}
