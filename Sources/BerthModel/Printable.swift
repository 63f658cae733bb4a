/// Text from specs, files or engines made safe for a terminal: escape sequences, carriage
/// returns and C1 controls in a file name, a build's output or an engine's message must not
/// repaint the screen or forge lines. Text without them comes back unchanged.
public enum Printable {
    /// One line: newlines are escaped too (a log event, a history record, a spec error), as
    /// `\u{1b}`, the escape `quoted` uses.
    public static func oneLine(_ text: String) -> String {
        escaped(text, keepingNewlines: false) { "\\u{\(String($0, radix: 16))}" }
    }

    /// Several lines kept as lines: every other control written as `\u001b`, JSON's own
    /// escape, so that `--json` output stays valid JSON with the same values.
    public static func lines(_ text: String) -> String {
        escaped(text, keepingNewlines: true) {
            let hex = String($0, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }

    /// Every C0/C1 control, DEL and U+2028/U+2029 written by `write`; text without them comes
    /// back unchanged. Works on UTF-8 bytes because a hostile key can hold a million newlines.
    static func escaped(_ text: String, keepingNewlines: Bool, _ write: (UInt32) -> String) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var index = 0
        func escape(_ value: UInt32, length: Int) {
            if out.isEmpty { out.reserveCapacity(bytes.count + 16); out += bytes[..<index] }
            out += Array(write(value).utf8)
            index += length
        }
        while index < bytes.count {
            let byte = bytes[index]
            if (byte < 0x20 && !(keepingNewlines && byte == 0x0A)) || byte == 0x7F {
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
