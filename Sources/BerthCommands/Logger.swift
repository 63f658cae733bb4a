import BerthEngine
import BerthJournal
import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

/// One line per event on stderr: text with a timestamp, or with a syslog priority prefix and
/// no timestamp when stderr is the journal (journald stamps lines itself); `--log-format json`
/// gives one object per line with the event's fields.
public struct Logger: Sendable {
    public enum Format: String, Sendable { case text, json }
    let format: Format
    let console: Console
    /// stderr is connected to journald (`JOURNAL_STREAM`).
    let journal: Bool
    let clock: @Sendable () -> Date

    public init(format: Format, console: Console, journal: Bool = JournalStream.isStandardError(),
                clock: @escaping @Sendable () -> Date = Date.init) {
        self.format = format; self.console = console; self.journal = journal; self.clock = clock
    }

    /// A line from a part of berth that names no level or fields.
    public func callAsFunction(_ message: String) { self(LogEvent.plain(message)) }

    public func callAsFunction(_ event: LogEvent) { console.err(line(event)) }

    func line(_ event: LogEvent) -> String {
        switch format {
        // One event, one line: a build's output inside a message must not forge log lines.
        case .text:
            let message = Printable.oneLine(event.message)
            return journal ? "<\(event.level.syslogPriority)>\(message)" : "\(Timestamp.rfc3339(clock())) \(message)"
        case .json:
            return Logger.record(event, time: Timestamp.rfc3339(clock())).serialized()
        }
    }

    /// The JSON record: time, level, message, then only the fields that apply.
    static func record(_ event: LogEvent, time: String) -> JSONValue {
        let f = event.fields
        var object: [String: JSONValue] = ["time": .string(time), "level": .string(event.level.rawValue), "message": .string(event.message)]
        let texts: [(String, String?)] = [("event", f.event), ("target", f.target), ("kind", f.kind), ("name", f.name), ("op", f.op),
                                          ("reason", f.reason), ("error", f.error), ("revision", f.revision)]
        for case let (key, value?) in texts { object[key] = .string(value) }
        let numbers: [(String, Int?)] = [("replica", f.replica), ("attempt", f.attempt), ("duration_ms", f.durationMs)]
        for case let (key, value?) in numbers { object[key] = .number(String(value)) }
        return .object(object)
    }
}
