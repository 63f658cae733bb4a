// The few string operations berth took from Foundation's NSString bridge, which
// FoundationEssentials lacks; with the same results, so the release links no ICU.
import Glibc

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (Foundation's `.whitespaces`:
    /// tab and Unicode space separators).
    public func trimmingWhitespace() -> String {
        trimmingScalars { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// The text without leading and trailing whitespace and line breaks (Foundation's
    /// `.whitespacesAndNewlines`).
    public func trimmingWhitespaceAndNewlines() -> String {
        trimmingScalars { $0 == "\t" || $0.properties.generalCategory == .spaceSeparator || $0.isLineBreak }
    }

    /// The text without leading and trailing line breaks (Foundation's `.newlines`).
    public func trimmingNewlines() -> String {
        trimmingScalars { $0.isLineBreak }
    }

    private func trimmingScalars(_ trimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }),
              let last = scalars.lastIndex(where: { !trimmed($0) }) else { return "" }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars[first...last])
        return String(text)
    }

    /// The text with every UTF-8 byte outside RFC 3986's unreserved characters
    /// (`A-Z a-z 0-9 - . _ ~`) written as `%XX`, as in a URL path segment or query value.
    public func percentEncodedUnreserved() -> String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// The text with `%XX` escapes decoded; nil when an escape is malformed or the
    /// result is not UTF-8 (as Foundation's `removingPercentEncoding`).
    public func percentDecoded() -> String? {
        var bytes: [UInt8] = []
        var rest = utf8[...]
        while let byte = rest.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard rest.count >= 2, let high = hexValue(rest.removeFirst()), let low = hexValue(rest.removeFirst()) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The text with every occurrence of `target` replaced, matching Unicode scalars (so
    /// "\n" is found inside "\r\n", unlike `replacing(_:with:)`, which matches whole
    /// characters), as Foundation's `replacingOccurrences(of:with:)` for berth's ASCII targets.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        let scalars = Array(unicodeScalars), needle = Array(target.unicodeScalars)
        guard !needle.isEmpty, scalars.count >= needle.count else { return String(self) }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if index + needle.count <= scalars.count && scalars[index..<(index + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: replacement.unicodeScalars)
                index += needle.count
            } else {
                out.append(scalars[index])
                index += 1
            }
        }
        return String(out)
    }

    /// The text cut or padded with spaces to `width` characters, as Foundation's
    /// `padding(toLength:withPad:" ",startingAt:0)` does for the ASCII berth prints.
    public func paddedWithSpaces(to width: Int) -> String {
        count >= width ? String(prefix(width)) : String(self) + String(repeating: " ", count: width - count)
    }
}

private func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

extension Unicode.Scalar {
    /// Foundation's `CharacterSet.newlines`: U+000A–U+000D, U+0085, U+2028, U+2029.
    fileprivate var isLineBreak: Bool {
        (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }
}

extension String {
    /// printf-style formatting through the C library (`"%.1f"`, `"%06d"`), for the few
    /// numbers berth formats; Foundation's `String(format:)` without Foundation.
    /// Output beyond 511 bytes is cut; berth formats single numbers.
    public init(cFormat format: String, _ arguments: CVarArg...) {
        self = withVaList(arguments) { list in
            var buffer = [CChar](repeating: 0, count: 512)
            _ = vsnprintf(&buffer, buffer.count, format, list)
            return String(cString: buffer)
        }
    }
}

extension FileSystem {
    /// `path` without its last component, as `NSString.deletingLastPathComponent`: `/a`
    /// for `/a/b` and `/a/b/`, `/` for `/a`, and "" for a bare name.
    public static func deletingLastComponent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        if slash == trimmed.startIndex { return "/" }
        var folder = trimmed[..<slash]
        while folder.count > 1 && folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }

    /// `name` appended to `folder` with one slash between, as
    /// `NSString.appendingPathComponent`: `name` alone when `folder` is empty.
    public static func appending(_ name: String, to folder: String) -> String {
        if folder.isEmpty { return name }
        var base = Substring(folder)
        while base.count > 1 && base.hasSuffix("/") { base = base.dropLast() }
        var tail = Substring(name)
        while tail.hasPrefix("/") { tail = tail.dropFirst() }
        if tail.isEmpty { return String(base) }
        return base == "/" ? "/" + tail : base + "/" + tail
    }
}
