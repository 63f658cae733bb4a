/// A document that is not valid JSON, with the place it went wrong.
///
/// The position points at the offending byte: the character that could not start or
/// continue what the parser expected, the first byte of a bad UTF-8 sequence, the
/// backslash of a bad escape, or the end of input when the document stops early. An
/// unterminated string is the exception: it points at the opening quote, because the
/// end of the file says nothing about which string was left open.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words, without the position or path.
    public var message: String
    /// Where in the file it is wrong.
    public var position: JSONPosition
    /// Where in the document the parser was: the value being read, or the container
    /// whose punctuation was wrong. For a duplicate key, the path of that key.
    public var path: JSONPath

    /// Creates an error; the parser is the usual source, tests and callers may build their own.
    public init(message: String, position: JSONPosition, path: JSONPath) {
        self.message = message
        self.position = position
        self.path = path
    }

    /// `LINE:COLUMN: PATH: message`; callers put `FILE:` in front.
    public var description: String { "\(position): \(path): \(message)" }
}

/// The wording of every message, in one place so tests and documentation agree with
/// the parser. Messages name characters the way a person would type them.
enum SyntaxMessage {
    static let unexpectedEnd = "unexpected end of input"
    static let trailingContent = "unexpected trailing content"
    static let unterminatedString = "unterminated string"
    static let expectedCommaOrBrace = "expected ',' or '}' after an object member"
    static let expectedCommaOrBracket = "expected ',' or ']' after an array element"
    static let expectedColon = "expected ':' after an object key"
    static let leadingZero = "leading zeros are not allowed in numbers"
    static let digitAfterMinus = "expected a digit after '-'"
    static let digitAfterPoint = "expected a digit after '.'"
    static let digitInExponent = "expected a digit in the exponent"
    static let badUnicodeEscape = "invalid \\u escape: expected 4 hex digits"

    static func expectedValue(got: String) -> String { "expected a value, got \(got)" }
    static func expectedKey(got: String) -> String { "expected a string key, got \(got)" }
    static func expectedKeyOrBrace(got: String) -> String { "expected a string key or '}', got \(got)" }
    static func invalidLiteral(_ literal: String) -> String { "invalid literal, expected '\(literal)'" }
    static func nestingTooDeep(_ limit: Int) -> String { "nesting deeper than \(limit) levels" }
    static func duplicateKey(_ key: String) -> String {
        var out: [UInt8] = []
        JSONWriter.appendQuoted(JSONPath.abbreviated(key), to: &out)
        return "duplicate key " + String(decoding: out, as: UTF8.self)
    }
    static func invalidUTF8(_ byte: UInt8) -> String { "invalid UTF-8 byte 0x" + hex(byte, digits: 2) }
    static func controlCharacter(_ byte: UInt8) -> String {
        "control character " + scalarName(UInt32(byte)) + " in string"
    }
    static func loneSurrogate(_ unit: UInt32) -> String {
        "lone surrogate \\u" + hex(unit, digits: 4) + " in string"
    }
    static func invalidEscape(_ byte: UInt8) -> String {
        if byte > 0x20 && byte < 0x7F {
            return "invalid escape '\\" + String(UnicodeScalar(byte)) + "' in string"
        }
        return "invalid escape in string"
    }

    /// `U+0007`: how a character that cannot be shown literally is named.
    static func scalarName(_ value: UInt32) -> String { "U+" + hex(value, digits: 4) }

    /// Uppercase hex, zero-padded, because that is how Unicode charts write code points.
    static func hex<T: BinaryInteger>(_ value: T, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
