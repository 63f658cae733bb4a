import BerthJournal
import BerthJSON
import BerthModel
import FoundationEssentials

/// One line per event on stderr with a timestamp; `--log-format json` for machines.
public struct Logger: Sendable {
    public enum Format: String, Sendable { case text, json }
    let format: Format
    let console: Console

    public init(format: Format, console: Console) { self.format = format; self.console = console }

    public func callAsFunction(_ message: String) {
        let time = Timestamp.rfc3339(Date())
        switch format {
        // One event, one line: a build's output inside a message must not forge log lines.
        case .text: console.err("\(time) \(Printable.oneLine(message))")
        case .json: console.err(JSONValue.object(["time": .string(time), "message": .string(message)]).serialized())
        }
    }
}
