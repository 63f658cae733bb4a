extension JSONValue {
    /// Canonical text: object keys sorted by their UTF-8 bytes, no whitespace, strings
    /// escaped minimally (`\"`, `\\`, and control characters as `\n \t \r \b \f` or
    /// `\u00xx`; everything else literal UTF-8). Same value, same bytes, always, on
    /// every platform and locale; config hashes are taken over this text.
    ///
    /// Strings are compared by their bytes, not by Unicode canonical equivalence, so an
    /// `é` written precomposed and one written as `e` + combining accent stay distinct here
    /// even though Swift's `==` on `String` calls them equal.
    public var canonicalText: String {
        var writer = JSONWriter(pretty: false)
        writer.write(self, depth: 0)
        return String(decoding: writer.out, as: UTF8.self)
    }

    /// Text for people and APIs. Compact output is the canonical text; `pretty` indents
    /// by two spaces, puts one member or element per line and sorts keys the same way.
    /// Neither form ends with a newline.
    public func serialized(pretty: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self, depth: 0)
        return String(decoding: writer.out, as: UTF8.self)
    }
}

/// Writes JSON text into a byte buffer; building bytes and decoding once is much
/// cheaper than growing a `String` piece by piece.
struct JSONWriter {
    private(set) var out: [UInt8] = []
    let pretty: Bool

    init(pretty: Bool) {
        self.pretty = pretty
    }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text):
            out.append(contentsOf: text.utf8)
        case .string(let text):
            JSONWriter.appendQuoted(text, to: &out)
        case .array(let elements):
            guard !elements.isEmpty else {
                out.append(contentsOf: "[]".utf8)
                return
            }
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                write(element, depth: depth + 1)
            }
            newline(depth: depth)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard !object.isEmpty else {
                out.append(contentsOf: "{}".utf8)
                return
            }
            out.append(UInt8(ascii: "{"))
            for (index, key) in JSONWriter.sortedKeys(object).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth: depth + 1)
                JSONWriter.appendQuoted(key, to: &out)
                out.append(UInt8(ascii: ":"))
                if pretty { out.append(UInt8(ascii: " ")) }
                // The key came from the dictionary's own key list, so the lookup succeeds.
                write(object[key] ?? .null, depth: depth + 1)
            }
            newline(depth: depth)
            out.append(UInt8(ascii: "}"))
        }
    }

    private mutating func newline(depth: Int) {
        guard pretty else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }

    /// Keys ordered by raw UTF-8 bytes: unlike `String <`, this order does not depend
    /// on Unicode normalization, so it can never change between toolchains.
    static func sortedKeys(_ object: [String: JSONValue]) -> [String] {
        object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Appends `text` as a quoted JSON string with minimal escaping.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""):
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"):
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x09:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0D:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x08:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0F))
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Lowercase, as RFC 8785 (JSON canonicalization) writes `\u001f`.
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
