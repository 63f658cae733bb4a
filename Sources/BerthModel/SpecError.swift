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

    /// `text` with every C0/C1 control character, DEL and U+2028/U+2029 written as `\u{…}`,
    /// the escape `quoted` uses; text without them comes back unchanged.
    static func oneLine(_ text: String) -> String {
        func breaks(_ scalar: Unicode.Scalar) -> Bool {
            scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
        }
        guard text.unicodeScalars.contains(where: breaks) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if breaks(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
