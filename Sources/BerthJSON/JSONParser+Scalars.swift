/// Strings, numbers, literals and UTF-8 validation. Every reader starts at the cursor,
/// leaves the cursor just past what it read, and reports errors at the offending byte.
extension Parser {
    /// Reads a string whose opening quote is at the cursor. Runs without escapes are
    /// copied as whole slices; only escapes are decoded byte by byte.
    mutating func readString(quote: JSONPosition) throws(JSONSyntaxError) -> String {
        offset += 1
        var runStart = offset
        var decoded: [UInt8] = []
        var sawEscape = false
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                let text: String
                if sawEscape {
                    decoded.append(contentsOf: bytes[runStart..<offset])
                    text = String(decoding: decoded, as: UTF8.self)
                } else {
                    text = String(decoding: bytes[runStart..<offset], as: UTF8.self)
                }
                offset += 1
                return text
            } else if byte == UInt8(ascii: "\\") {
                sawEscape = true
                decoded.append(contentsOf: bytes[runStart..<offset])
                try readEscape(into: &decoded, quote: quote)
                runStart = offset
            } else if byte < 0x20 {
                throw error(SyntaxMessage.controlCharacter(byte), innermost: true)
            } else if byte < 0x80 {
                offset += 1
            } else {
                let length = utf8SequenceLength(at: offset)
                guard length > 0 else { throw error(SyntaxMessage.invalidUTF8(byte), innermost: true) }
                offset += length
            }
        }
        throw unterminated(quote)
    }

    /// Decodes the escape whose backslash is at the cursor, appending its UTF-8.
    private mutating func readEscape(into decoded: inout [UInt8], quote: JSONPosition) throws(JSONSyntaxError) {
        let backslash = offset
        guard offset + 1 < bytes.count else { throw unterminated(quote) }
        let letter = bytes[offset + 1]
        let simple: UInt8
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): simple = letter
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            var scalar = try readHex4(quote: quote)
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate is only meaningful followed by its low half.
                // The input ending right here says nothing about the pair, so it is reported
                // as truncation; anything else that is not `\u` leaves the high half alone.
                guard offset < bytes.count, bytes[offset] != UInt8(ascii: "\\") || offset + 1 < bytes.count else {
                    throw unterminated(quote)
                }
                guard bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw error(SyntaxMessage.loneSurrogate(scalar), at: backslash, innermost: true)
                }
                let low = try readHex4(quote: quote)
                guard (0xDC00..<0xE000).contains(low) else {
                    throw error(SyntaxMessage.loneSurrogate(scalar), at: backslash, innermost: true)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error(SyntaxMessage.loneSurrogate(scalar), at: backslash, innermost: true)
            }
            // Surrogates are excluded above, so both conversions always succeed.
            if let unicode = Unicode.Scalar(scalar), let encoded = UTF8.encode(unicode) {
                decoded.append(contentsOf: encoded)
            }
            return
        default:
            if letter >= 0x80, utf8SequenceLength(at: offset + 1) == 0 {
                throw error(SyntaxMessage.invalidUTF8(letter), at: offset + 1, innermost: true)
            }
            throw error(SyntaxMessage.invalidEscape(letter), innermost: true)
        }
        decoded.append(simple)
        offset += 2
    }

    /// Reads `\uXXXX` at the cursor and returns the code unit.
    private mutating func readHex4(quote: JSONPosition) throws(JSONSyntaxError) -> UInt32 {
        let backslash = offset
        var value: UInt32 = 0
        for index in offset + 2..<offset + 6 {
            guard index < bytes.count else { throw unterminated(quote) }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error(SyntaxMessage.badUnicodeEscape, at: backslash, innermost: true)
            }
            value = value << 4 | UInt32(digit)
        }
        offset += 6
        return value
    }

    private mutating func unterminated(_ quote: JSONPosition) -> JSONSyntaxError {
        JSONSyntaxError(message: SyntaxMessage.unterminatedString, position: quote, path: path(innermost: true))
    }

    /// Reads a number by the JSON grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
    /// and returns its literal text untouched.
    mutating func readNumber() throws(JSONSyntaxError) -> String {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") {
            offset += 1
            try requireDigit(SyntaxMessage.digitAfterMinus)
        }
        if bytes[offset] == UInt8(ascii: "0") {
            offset += 1
            if offset < bytes.count, isDigit(bytes[offset]) {
                throw error(SyntaxMessage.leadingZero, innermost: true)
            }
        } else {
            skipDigits()
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            try requireDigit(SyntaxMessage.digitAfterPoint)
            skipDigits()
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            try requireDigit(SyntaxMessage.digitInExponent)
            skipDigits()
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func requireDigit(_ message: String) throws(JSONSyntaxError) {
        guard offset < bytes.count else { throw error(SyntaxMessage.unexpectedEnd, innermost: true) }
        guard isDigit(bytes[offset]) else { throw structuralError(message, innermost: true) }
    }

    private mutating func skipDigits() {
        while offset < bytes.count, isDigit(bytes[offset]) {
            offset += 1
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Reads exactly `literal`; the error points at the first byte that differs.
    mutating func readLiteral(_ literal: String) throws(JSONSyntaxError) {
        for byte in literal.utf8 {
            guard offset < bytes.count else { throw error(SyntaxMessage.unexpectedEnd, innermost: true) }
            guard bytes[offset] == byte else {
                throw structuralError(SyntaxMessage.invalidLiteral(literal), innermost: true)
            }
            offset += 1
        }
    }

    /// The length of the well-formed UTF-8 sequence starting at `index`, or 0 if none
    /// starts there (bad lead byte, missing or wrong continuation, overlong form,
    /// surrogate, beyond U+10FFFF, or cut off by the end). Follows Unicode Table 3-7.
    func utf8SequenceLength(at index: Int) -> Int {
        guard index < bytes.count else { return 0 }
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return 0
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return 0 }
        for next in index + 2..<index + length where bytes[next] & 0xC0 != 0x80 {
            return 0
        }
        return length
    }
}
