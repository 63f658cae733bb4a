import Testing
@testable import BerthJSON

/// One bad document and exactly what the parser must say about it.
struct BadInput: Sendable, CustomTestStringConvertible {
    var bytes: [UInt8]
    var message: String
    var position: JSONPosition
    var path: String

    init(_ text: String, _ message: String, _ line: Int, _ column: Int, _ path: String = "$") {
        self.init(bytes: Array(text.utf8), message, line, column, path)
    }

    init(bytes: [UInt8], _ message: String, _ line: Int, _ column: Int, _ path: String = "$") {
        self.bytes = bytes
        self.message = message
        self.position = JSONPosition(line: line, column: column)
        self.path = path
    }

    var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription }
}

@Suite("Syntax errors")
struct SyntaxErrorTests {
    static let structural: [BadInput] = [
        BadInput("", "unexpected end of input", 1, 1),
        BadInput("   ", "unexpected end of input", 1, 4),
        BadInput("[", "unexpected end of input", 1, 2, "$[0]"),
        BadInput("[1,2", "unexpected end of input", 1, 5),
        BadInput("{", "unexpected end of input", 1, 2),
        BadInput(#"{"a""#, "unexpected end of input", 1, 5, "$.a"),
        BadInput(#"{"a":"#, "unexpected end of input", 1, 6, "$.a"),
        BadInput(#"{"a": 1 "b": 2}"#, "expected ',' or '}' after an object member", 1, 9),
        BadInput("[1 2]", "expected ',' or ']' after an array element", 1, 4),
        BadInput(#"{"a" 1}"#, "expected ':' after an object key", 1, 6, "$.a"),
        BadInput(#"{"a":}"#, "expected a value, got '}'", 1, 6, "$.a"),
        BadInput("[1,]", "expected a value, got ']'", 1, 4, "$[1]"),
        BadInput(#"{"a":1,}"#, "expected a string key, got '}'", 1, 8),
        BadInput("{a:1}", "expected a string key or '}', got 'a'", 1, 2),
        BadInput(#"{"a" : [ {"b": 1, } ] }"#, "expected a string key, got '}'", 1, 19, "$.a[0]"),
        BadInput("{\n  \"a\": [1,\n    x]\n}", "expected a value, got 'x'", 3, 5, "$.a[1]"),
        BadInput(#"{"é": 1, "ü": ?}"#, "expected a value, got '?'", 1, 15, #"$["ü"]"#),
        BadInput("[1,\u{0}]", "expected a value, got U+0000", 1, 4, "$[1]"),
        BadInput("[é]", "expected a value, got 'é'", 1, 2, "$[0]"),
        BadInput("true false", "unexpected trailing content", 1, 6),
        BadInput(#"{"a":1}}"#, "unexpected trailing content", 1, 8),
        BadInput("\u{FEFF}[x]", "expected a value, got 'x'", 1, 2, "$[0]"),
    ]

    static let scalars: [BadInput] = [
        BadInput(#""abc"#, "unterminated string", 1, 1),
        BadInput(#"["ok", "abc"#, "unterminated string", 1, 8, "$[1]"),
        BadInput(#""ab\"#, "unterminated string", 1, 1),
        BadInput(#""\u12"#, "unterminated string", 1, 1),
        BadInput("\"a\u{0}b\"", "control character U+0000 in string", 1, 3),
        BadInput("\"a\nb\"", "control character U+000A in string", 1, 3),
        BadInput("[\"\u{1F}\"]", "control character U+001F in string", 1, 3, "$[0]"),
        BadInput(#""\x""#, #"invalid escape '\x' in string"#, 1, 2),
        BadInput(#""\u12G4""#, #"invalid \u escape: expected 4 hex digits"#, 1, 2),
        BadInput(#""\uD800""#, #"lone surrogate \uD800 in string"#, 1, 2),
        BadInput(#""ab\uDC00""#, #"lone surrogate \uDC00 in string"#, 1, 4),
        BadInput(#""\uD800\u0041""#, #"lone surrogate \uD800 in string"#, 1, 2),
        BadInput(#"{"k\uDFFF": 1}"#, #"lone surrogate \uDFFF in string"#, 1, 4),
        BadInput("01", "leading zeros are not allowed in numbers", 1, 2),
        BadInput("[-00]", "leading zeros are not allowed in numbers", 1, 4, "$[0]"),
        BadInput("-", "unexpected end of input", 1, 2),
        BadInput("-a", "expected a digit after '-'", 1, 2),
        BadInput("[1.]", "expected a digit after '.'", 1, 4, "$[0]"),
        BadInput("[1e]", "expected a digit in the exponent", 1, 4, "$[0]"),
        BadInput("1e+", "unexpected end of input", 1, 4),
        BadInput("+1", "expected a value, got '+'", 1, 1),
        BadInput(".5", "expected a value, got '.'", 1, 1),
        BadInput("NaN", "expected a value, got 'N'", 1, 1),
        BadInput("0x10", "unexpected trailing content", 1, 2),
        BadInput("tru", "unexpected end of input", 1, 4),
        BadInput("trUe", "invalid literal, expected 'true'", 1, 3),
        BadInput("[nul1]", "invalid literal, expected 'null'", 1, 5, "$[0]"),
        BadInput("False", "expected a value, got 'F'", 1, 1),
    ]

    static let invalidUTF8: [BadInput] = [
        BadInput(bytes: [0x22, 0x61, 0xFF, 0x22], "invalid UTF-8 byte 0xFF", 1, 3),
        BadInput(bytes: [0x22, 0xC3, 0x28, 0x22], "invalid UTF-8 byte 0xC3", 1, 2),
        BadInput(bytes: [0x22, 0xC0, 0xAF, 0x22], "invalid UTF-8 byte 0xC0", 1, 2),
        BadInput(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], "invalid UTF-8 byte 0xED", 1, 2),
        BadInput(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], "invalid UTF-8 byte 0xF4", 1, 2),
        BadInput(bytes: [0x22, 0xE2, 0x82], "invalid UTF-8 byte 0xE2", 1, 2),
        BadInput(bytes: [0x22, 0xC3, 0xA9, 0xFF, 0x22], "invalid UTF-8 byte 0xFF", 1, 3),
        BadInput(bytes: [0x5B, 0xFF, 0x5D], "invalid UTF-8 byte 0xFF", 1, 2, "$[0]"),
        BadInput(bytes: [0x5B, 0x31, 0x80], "invalid UTF-8 byte 0x80", 1, 3),
        BadInput(bytes: [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x0A, 0x20, 0x22, 0x5C, 0xFE, 0x22, 0x7D], "invalid UTF-8 byte 0xFE", 2, 4, "$.a"),
    ]

    @Test(arguments: structural + scalars + invalidUTF8)
    func reportsMessagePositionAndPath(_ input: BadInput) throws {
        let error = try #require(syntaxError(input.bytes))
        #expect(error.message == input.message)
        #expect(error.position == input.position)
        #expect(error.path.description == input.path)
    }

    @Test func descriptionIsOneLine() throws {
        let error = try #require(syntaxError("{\n  \"a\": [1,\n    x]\n}"))
        #expect(error.description == "3:5: $.a[1]: expected a value, got 'x'")
    }

    @Test func validEdgeCasesParse() throws {
        let root = try parsed(#"[0, -0, 1.5e-3, 1E+2, 123456789012345678901234567890, "\u00e9", true, false, null, " \t"]"#)
        #expect(root.elements?.count == 10)
        #expect(root.elements?[4].value == .number("123456789012345678901234567890"))
        #expect(root.elements?[4].value.intValue == nil)
        #expect(try parsed(" 7 \n").value == .number("7"))
    }

    @Test func duplicateKeysNameTheKey() throws {
        let nested = try #require(syntaxError(#"{"env": {"A": 1, "A": 2}}"#))
        #expect(nested.message == #"duplicate key "A""#)
        #expect(nested.position == pos(1, 18))
        #expect(nested.path.description == "$.env.A")

        let top = try #require(syntaxError(#"{"env": 1, "env": 2}"#))
        #expect(top.description == #"1:12: $.env: duplicate key "env""#)

        let dotted = try #require(syntaxError("{\"a.b\":1,\n\"a.b\":2}"))
        #expect(dotted.description == #"2:1: $["a.b"]: duplicate key "a.b""#)
    }

    @Test func duplicateKeysAllowedKeepBothMembersAndLastWins() throws {
        let root = try parsed(#"{"env": 1, "env": 2}"#, rejectDuplicateKeys: false)
        #expect(root.members?.count == 2)
        #expect(root.value == .object(["env": .number("2")]))
        #expect(root["env"]?.position == pos(1, 19))
    }

    @Test func depthLimitIsEnforcedExactly() throws {
        let deepest = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(try parsed(deepest).elements?.count == 1)

        let tooDeep = String(repeating: "[", count: 129) + String(repeating: "]", count: 129)
        let error = try #require(syntaxError(tooDeep))
        #expect(error.message == "nesting deeper than 128 levels")
        #expect(error.position == pos(1, 129))
        #expect(error.path.components.count == 128)

        let objects = try #require(syntaxError(#"{"a": {"b": {}}}"#, maxDepth: 2))
        #expect(objects.description == "1:13: $.a.b: nesting deeper than 2 levels")
        #expect(try parsed(#"{"a": {"b": 1}}"#, maxDepth: 2)["a"]?["b"]?.value == .number("1"))
    }

    @Test func hostileNestingIsAnErrorNotACrash() throws {
        let error = try #require(syntaxError(String(repeating: "[", count: 200_000)))
        #expect(error.message == "nesting deeper than 128 levels")
        let mixed = String(repeating: #"{"a":["#, count: 100_000)
        #expect(syntaxError(mixed)?.message == "nesting deeper than 128 levels")
    }
}
