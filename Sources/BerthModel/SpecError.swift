/// A problem in a spec file, in the form editors understand:
/// `FILE:LINE:COLUMN: JSON.PATH: message`.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var path: JSONPath
    public var position: JSONPosition
    /// What is wrong, always one line: control and line-breaking characters that came from the
    /// input (an escaped "\n" in a key, say) are written as `\u{a}`.
    public var message: String

    public init(file: String, path: JSONPath, position: JSONPosition, message: String) {
        self.file = file; self.path = path; self.position = position; self.message = SpecError.oneLine(message)
    }

    /// One line, whatever the file name or the keys in the path hold, so that tools reading
    /// `FILE:LINE:COLUMN:` line by line never see half an error.
    public var description: String {
        "\(SpecError.oneLine(file)):\(position): \(SpecError.oneLine(path.description)): \(message)"
    }

    public var json: JSONValue {
        .object([
            "file": .string(file), "path": .string(path.description),
            "line": .number(String(position.line)), "column": .number(String(position.column)),
            "message": .string(message),
        ])
    }

    /// `text` with every control character written as `\u{…}`, the escape `quoted` uses.
    static func oneLine(_ text: String) -> String { Printable.oneLine(text) }
}
