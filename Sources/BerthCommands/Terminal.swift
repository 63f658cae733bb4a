import FoundationEssentials
import Glibc

/// Colour and width on a terminal. Colour is decided once per run: `--color always|never`,
/// else (auto) NO_COLOR unset or empty, stdout a terminal and TERM not "dumb".
enum Terminal {
    struct Style: Sendable {
        let code: String
        static let green = Style(code: "32")
        static let yellow = Style(code: "33")
        static let red = Style(code: "31")
        static let boldRed = Style(code: "1;31")
        static let magenta = Style(code: "35")
        static let bold = Style(code: "1")
        func wrap(_ text: String) -> String { "\u{1B}[\(code)m" + text + "\u{1B}[0m" }
    }

    static let choices = ["auto", "always", "never"]

    /// Whether to colour: `choice` is `--color`'s value (nil is auto).
    static func colored(choice: String?, environment: [String: String], outputIsTerminal: Bool) -> Bool {
        switch choice ?? "auto" {
        case "always": return true
        case "never": return false
        default:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            return outputIsTerminal && environment["TERM"] != "dumb"
        }
    }

    /// Plan text (already escaped) with each line coloured by what it says: creates green,
    /// changes yellow, deletions red, held and blocked lines bold red so they are not missed.
    static func paint(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let line = String(line)
            guard let style = style(of: line) else { return line }
            return style.wrap(line)
        }.joined(separator: "\n")
    }

    static func style(of line: String) -> Style? {
        if line.hasPrefix("+ ") || line.hasPrefix("> ") { return .green }
        if line.hasPrefix("~ ") { return .yellow }
        if line.hasPrefix("- ") { return .red }
        if line.hasPrefix("! held ") || line.hasPrefix("! blocked ") { return .boldRed }
        if line.hasPrefix("! ") { return .magenta }
        if line.hasPrefix("Plan: ") || line.hasPrefix("No changes") {
            return line.contains(" Held: ") || line.contains(" Invalid: ") || line.contains(" Blocked: ") || line.contains(" Not planned: ")
                ? .boldRed : .bold
        }
        return nil
    }

    /// The terminal's width in columns (80 when it cannot be read).
    static func columns(fd: Int32) -> Int {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 10 else { return 80 }
        return Int(size.ws_col)
    }
}
