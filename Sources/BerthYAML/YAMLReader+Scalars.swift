import BerthJSON

/// Keys, plain scalars and quoted scalars: the tokens that live within one line.
extension YAMLReader {
    /// If a mapping key starts at `offset`, returns it and the offset just past its
    /// `:`; nil when the line holds no `key:` there. Keys are kept as text, since JSON
    /// object keys are strings (`true: x` has the key "true").
    func scanKey(line index: Int, at offset: Int) throws(YAMLError) -> (String, Int)? {
        let end = lines[index].end
        let first = bytes[offset]
        if first == .doubleQuote || first == .singleQuote {
            // A quote that does not close on its line is a multi-line value, not a key.
            guard let (key, after) = try? parseQuoted(line: index, at: offset) else { return nil }
            let colon = skipWhite(after, line: index)
            guard colon < end, bytes[colon] == .colon, colon + 1 == end || bytes[colon + 1].isWhite else { return nil }
            return (key, colon + 1)
        }
        var position = offset
        while position < end {
            let byte = bytes[position]
            if byte == .hash && position > offset && bytes[position - 1].isWhite { return nil }
            // `:` is an indicator only before white space or the end, so URLs with
            // ports (`https://10.0.0.1:6443`) stay plain text.
            if byte == .colon && (position + 1 == end || bytes[position + 1].isWhite) {
                var keyEnd = position
                while keyEnd > offset && bytes[keyEnd - 1].isWhite { keyEnd -= 1 }
                if keyEnd == offset {
                    throw fail("a mapping key is missing before `:`", line: index, at: offset)
                }
                return (String(decoding: bytes[offset..<keyEnd], as: UTF8.self), position + 1)
            }
            position += 1
        }
        return nil
    }

    /// Reads a plain (unquoted) scalar in block context, up to a comment or the end of
    /// the line, and returns its trimmed text and the offset after it.
    func scanPlain(line index: Int, at offset: Int) throws(YAMLError) -> (String, Int) {
        try rejectPlainStart(line: index, at: offset)
        let end = lines[index].end
        var position = offset
        var textEnd = offset
        while position < end {
            let byte = bytes[position]
            if byte == .hash && position > offset && bytes[position - 1].isWhite { break }
            if byte == .colon && (position + 1 == end || bytes[position + 1].isWhite) {
                throw fail("a mapping value is not allowed here; quote the text if it contains \": \"",
                           line: index, at: position)
            }
            if !byte.isWhite { textEnd = position + 1 }
            position += 1
        }
        // End at the text, not the comment, so the caller sees the white space that
        // makes a following `#` a comment.
        return (String(decoding: bytes[offset..<textEnd], as: UTF8.self), textEnd)
    }

    private static let reservedPlainStarts: [UInt8] = Array(",[]{}#|>%@`".utf8)

    /// Refuses the indicator characters YAML reserves at the start of a plain scalar.
    func rejectPlainStart(line index: Int, at offset: Int) throws(YAMLError) {
        let first = bytes[offset]
        if Self.reservedPlainStarts.contains(first) {
            throw fail("unexpected `\(Character(Unicode.Scalar(first)))`", line: index, at: offset)
        }
    }

    /// Reads a single- or double-quoted scalar starting at `offset` that closes on its line
    /// (a mapping key), and returns its text and the offset after the closing quote.
    func parseQuoted(line index: Int, at offset: Int) throws(YAMLError) -> (String, Int) {
        let (text, _, after) = try parseQuoted(line: index, at: offset, multiline: false)
        return (text, after)
    }

    /// Reads a quoted scalar that may span lines, as values in Compose files do: a line break
    /// folds into a space, each empty line between is a kept line break, white space around
    /// the break is dropped, and in double quotes a `\` at the end of a line joins the lines
    /// without a space. Returns the text, the line it closes on and the offset after it.
    func parseQuoted(line index: Int, at offset: Int, multiline: Bool) throws(YAMLError) -> (String, Int, Int) {
        let quote = bytes[offset]
        var decoded: [UInt8] = []
        var row = index
        var position = offset + 1
        while true {
            let end = lines[row].end
            // Where this line's text ends: white space before a break is not content.
            var textEnd = decoded.count
            var joined = false
            while position < end {
                let byte = bytes[position]
                if byte == quote {
                    // In single quotes, a doubled quote is the only escape.
                    if quote == .singleQuote && position + 1 < end && bytes[position + 1] == .singleQuote {
                        decoded.append(.singleQuote)
                        textEnd = decoded.count
                        position += 2
                        continue
                    }
                    return (String(decoding: decoded, as: UTF8.self), row, position + 1)
                }
                if quote == .doubleQuote && byte == .backslash {
                    if multiline && position + 1 == end {
                        joined = true
                        break
                    }
                    position = try readEscape(line: row, at: position, into: &decoded)
                    textEnd = decoded.count
                    continue
                }
                decoded.append(byte)
                if !byte.isWhite { textEnd = decoded.count }
                position += 1
            }
            guard multiline else { throw fail("a quoted string must close on the same line", line: index, at: offset) }
            if !joined { decoded.removeSubrange(textEnd...) }
            var empty = 0
            row += 1
            while row < lines.count && skipWhite(lines[row].start, line: row) == lines[row].end {
                empty += 1
                row += 1
            }
            guard row < lines.count, marker(row) == nil else {
                throw fail("a quoted string is not closed", line: index, at: offset)
            }
            if empty > 0 {
                decoded.append(contentsOf: repeatElement(.newline, count: empty))
            } else if !joined {
                decoded.append(.space)
            }
            position = skipWhite(lines[row].start, line: row)
        }
    }

    /// Escapes that stand for one ASCII byte, built once rather than per escape.
    private static let simpleEscapes: [UInt8: UInt8] = [
        UInt8(ascii: "0"): 0x00, UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09,
        .tab: 0x09, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "v"): 0x0B, UInt8(ascii: "f"): 0x0C,
        UInt8(ascii: "r"): 0x0D, UInt8(ascii: "e"): 0x1B, .space: 0x20, .doubleQuote: 0x22,
        UInt8(ascii: "/"): 0x2F, .backslash: 0x5C,
    ]

    /// Decodes the double-quoted escape whose backslash is at `offset`, appending its
    /// UTF-8, and returns the offset after it.
    func readEscape(line index: Int, at offset: Int, into decoded: inout [UInt8]) throws(YAMLError) -> Int {
        let end = lines[index].end
        guard offset + 1 < end else {
            throw fail("line continuation in a quoted string is not supported", line: index, at: offset)
        }
        let letter = bytes[offset + 1]
        if let byte = Self.simpleEscapes[letter] {
            decoded.append(byte)
            return offset + 2
        }
        let digits: Int
        switch letter {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        case UInt8(ascii: "N"): return appendScalar(0x85, to: &decoded, next: offset + 2)
        case UInt8(ascii: "_"): return appendScalar(0xA0, to: &decoded, next: offset + 2)
        case UInt8(ascii: "L"): return appendScalar(0x2028, to: &decoded, next: offset + 2)
        case UInt8(ascii: "P"): return appendScalar(0x2029, to: &decoded, next: offset + 2)
        default:
            throw fail("unknown escape sequence in a double-quoted string", line: index, at: offset)
        }
        var value: UInt32 = 0
        for position in offset + 2..<offset + 2 + digits {
            guard position < end, let digit = hexValue(bytes[position]) else {
                throw fail("expected \(digits) hexadecimal digits after `\\\(Character(Unicode.Scalar(letter)))`",
                           line: index, at: offset)
            }
            value = value << 4 | digit
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw fail("escape is not a valid Unicode scalar", line: index, at: offset)
        }
        return appendScalar(scalar.value, to: &decoded, next: offset + 2 + digits)
    }

    private func appendScalar(_ value: UInt32, to decoded: inout [UInt8], next: Int) -> Int {
        // Every caller passes a valid scalar, so the fallback is never taken.
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        UTF8.encode(scalar) { decoded.append($0) }
        return next
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
