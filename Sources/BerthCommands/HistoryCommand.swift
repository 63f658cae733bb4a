import BerthJournal
import BerthModel
import FoundationEssentials

enum HistoryCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) throws -> Int32 {
        let limit = try arguments.int("limit", default: 50, range: 1...1_000_000)
        guard try StateFolder.inspect(settings) else {
            throw BerthError(.notFound, "no state folder at \(settings.stateDirectory): berth has recorded nothing there; check --state")
        }
        let contents = try JournalReader.read(path: settings.journalPath)
        var records = contents.records
        if let name = arguments.values["name"] { records = records.filter { $0.name == name } }
        if let target = arguments.values["target"] { records = records.filter { $0.target == target } }
        if let prefix = arguments.values["revision"]?.lowercased() {
            records = records.filter { $0.revision?.hash.lowercased().hasPrefix(prefix) == true }
        }
        records = Array(records.suffix(limit))
        if !contents.badLines.isEmpty {
            console.err("berth: skipped \(contents.badLines.count) unreadable journal line\(contents.badLines.count == 1 ? "" : "s") (\(contents.badLines.map(String.init).joined(separator: ", "))), e.g. a write cut short by a crash")
        }
        if arguments.flags.contains("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            console.out(String(decoding: try encoder.encode(records), as: UTF8.self))
            return 0
        }
        for record in records { console.out(line(record)) }
        return 0
    }

    static func line(_ r: JournalRecord) -> String {
        var parts = [r.time, "#\(r.seq)"] + (r.revision.map { ["@" + $0.short] } ?? []) + [r.event]
        if let op = r.op { parts.append(op) }
        if let object = r.detail?["object"] {
            parts.append([r.target, object].compactMap { $0 }.joined(separator: " ") + (r.name.map { " (spec \($0))" } ?? ""))
        } else if let name = r.name {
            parts.append([r.target, r.kind, name].compactMap { $0 }.joined(separator: " ") + (r.replica.map { " #\($0)" } ?? ""))
        }
        var text = parts.joined(separator: " ")
        if let reason = r.reason { text += ": \(reason)" }
        if let changes = r.detail?["changes"], r.event != "action-start" { text += " (\(changes))" }
        if let message = r.message { text += ": \(message)" }
        if let file = r.file, r.name == nil { text += " (\(file))" }
        if let error = r.error { text += " — \(error)" }
        // One record, one line, whatever a file name or an engine's message holds.
        return Printable.oneLine(text)
    }
}
