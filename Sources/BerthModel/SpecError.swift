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
    /// the escape `quoted` uses; text without them comes back unchanged. Works on UTF-8
    /// bytes because a hostile key can hold a million newlines.
    static func oneLine(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        func escape(_ value: UInt32, length: Int) {
            if out.isEmpty { out.reserveCapacity(bytes.count + 16); out += bytes[..<index] }
            out += Array("\\u{\(String(value, radix: 16))}".utf8)
            index += length
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x20 || byte == 0x7F {
                escape(UInt32(byte), length: 1)
            } else if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
                escape(UInt32(bytes[index + 1]), length: 2)
            } else if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9 {
                escape(0x2000 + UInt32(bytes[index + 2]) - 0x80, length: 3)
            } else {
                if !out.isEmpty { out.append(byte) }
                index += 1
            }
        }
        return out.isEmpty ? text : String(decoding: out, as: UTF8.self)
    }
}
