/// Text from specs, files or engines made safe for a terminal: escape sequences, carriage
/// returns and C1 controls in a file name, a build's output or an engine's message must not
/// repaint the screen or forge lines. Controls are written as `\u{1b}`, the escape spec
/// errors use; text without them comes back unchanged.
public enum Printable {
    /// One line: newlines are escaped too (a log event, a history record).
    public static func oneLine(_ text: String) -> String { SpecError.oneLine(text) }

    /// Several lines kept as lines: every control but the newline escaped.
    public static func lines(_ text: String) -> String {
        guard text.utf8.contains(where: { ($0 < 0x20 && $0 != 0x0A) || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { oneLine(String($0)) }.joined(separator: "\n")
    }
}
