import BerthJSON
import Testing
import BerthYAML

/// Scalars: typing, quoting and escapes, block scalars, comments.
@Suite("YAML scalars")
struct ScalarTests {
    /// Parses `value: <text>` and returns the value, so each row tests one scalar.
    private func value(_ text: String) throws -> JSONValue? {
        try YAMLParser.parse("value: \(text)")["value"]
    }

    @Test(arguments: [
        ("true", JSONValue.bool(true)), ("True", .bool(true)), ("TRUE", .bool(true)),
        ("false", .bool(false)), ("FALSE", .bool(false)),
        ("null", .null), ("Null", .null), ("~", .null), ("", .null), ("# only a comment", .null),
        ("0", .number("0")), ("42", .number("42")), ("-17", .number("-17")), ("+5", .number("5")),
        ("007", .number("7")), ("0o17", .number("15")), ("0x1F", .number("31")),
        ("1.5", .number("1.5")), ("-0.25", .number("-0.25")), (".5", .number("0.5")), ("2.", .number("2")),
        ("1e3", .number("1e3")), ("6.02E+23", .number("6.02E+23")), ("+1.5e-3", .number("1.5e-3")),
        // YAML 1.1 words and non-JSON numbers stay text.
        ("yes", .string("yes")), ("on", .string("on")), ("off", .string("off")), ("y", .string("y")),
        (".inf", .string(".inf")), (".nan", .string(".nan")), ("0x", .string("0x")), ("0o9", .string("0o9")),
        ("0xFFFFFFFFFFFFFFFFF", .string("0xFFFFFFFFFFFFFFFFF")), ("1_000", .string("1_000")),
        ("1e", .string("1e")), ("-1-2", .string("-1-2")), (".", .string(".")), ("12:30", .string("12:30")),
        ("v1.32.0", .string("v1.32.0")), ("nullish", .string("nullish")),
        // base64 data must never be typed, even when it happens to look numeric-ish.
        ("LS0tLS1CRUdJTiBDRVJU==", .string("LS0tLS1CRUdJTiBDRVJU==")), ("MTIzNDU2", .string("MTIzNDU2")),
        ("a # comment", .string("a")), ("a#b", .string("a#b")), ("https://h:6443/x?y=1", .string("https://h:6443/x?y=1")),
        ("-x", .string("-x")), ("'true'", .string("true")), ("\"42\"", .string("42")), ("''", .string("")),
        ("{}", .object([:])), ("[]", .array([])), ("[ ]", .array([])),
        ("[1, two, \"3\", null,]", .array([.number("1"), .string("two"), .string("3"), .null])),
        ("{a: 1, b, 'c': x y, \"d\":true}", .object(["a": .number("1"), "b": .null, "c": .string("x y"), "d": .bool(true)])),
    ])
    func typing(_ text: String, _ expected: JSONValue) throws {
        #expect(try value(text) == expected)
    }

    @Test(arguments: [
        (#""a \"q\" \\ b""#, "a \"q\" \\ b"),
        (#""line\nnext\ttab""#, "line\nnext\ttab"),
        (#""\u00e9\u263A \x41 \U0001F600 \/ \0""#, "\u{e9}\u{263A} A \u{1F600} / \u{0}"),
        ("\"# not a comment\"", "# not a comment"),
        (#""key: value""#, "key: value"),
        ("'it''s ''quoted'''", "it's 'quoted'"),
        (#"'back\slash \n stays'"#, #"back\slash \n stays"#),
        ("\"ключ\"", "ключ"),
    ])
    func quotedStrings(_ text: String, _ expected: String) throws {
        #expect(try value(text) == .string(expected))
    }

    @Test func blockScalars() throws {
        let text = """
        literal: |
          line one
            indented

          after blank
        folded: >
          folded
          together

          paragraph
            kept
          end
        strip: |-
          no newline


        keep: |+
          trailing


        explicit: |2
            four spaces
        sequence:
          - >-
            in a
            sequence
          - |
            x
        emptyClip: |
        emptyKeep: |+

        last: done
        """
        let value = try YAMLParser.parse(text)
        #expect(value["literal"] == .string("line one\n  indented\n\nafter blank\n"))
        #expect(value["folded"] == .string("folded together\nparagraph\n  kept\nend\n"))
        #expect(value["strip"] == .string("no newline"))
        #expect(value["keep"] == .string("trailing\n\n\n"))
        #expect(value["explicit"] == .string("  four spaces\n"))
        #expect(value["sequence"] == .array([.string("in a sequence"), .string("x\n")]))
        #expect(value["emptyClip"] == .string(""))
        #expect(value["emptyKeep"] == .string("\n"))
        #expect(value["last"] == .string("done"))
    }

    @Test func blockScalarKeepsHashesAndColons() throws {
        let value = try YAMLParser.parse("cert: |\n  # not: a comment\n  a: b\n# real comment\nnext: 1\n")
        #expect(value == .object(["cert": .string("# not: a comment\na: b\n"), "next": .number("1")]))
    }

    @Test func comments() throws {
        let text = """
        # leading comment
          # indented comment
        a: 1 # trailing
        # between
        b:   # nothing here
        c:
          # inside
          - x  # after item
          # between items

          - "y" # after quoted
        d: e#f
        """
        #expect(try YAMLParser.parse(text) == .object([
            "a": .number("1"), "b": .null, "c": .array([.string("x"), .string("y")]), "d": .string("e#f"),
        ]))
    }

    @Test func documentShapes() throws {
        #expect(try YAMLParser.parse("") == .null)
        #expect(try YAMLParser.parse("# only comments\n\n") == .null)
        #expect(try YAMLParser.parse("---\n...\n") == .null)
        #expect(try YAMLParser.parse("--- # start\nplain text\n...\n# bye\n") == .string("plain text"))
        #expect(try YAMLParser.parse("\u{FEFF}a: 1") == .object(["a": .number("1")]))
        #expect(try YAMLParser.parse("- a\n- - b\n  - c\n-\n- k: v\n  l: w\n") == .array([
            .string("a"), .array([.string("b"), .string("c")]), .null,
            .object(["k": .string("v"), "l": .string("w")]),
        ]))
        #expect(try YAMLParser.parse("a:\n  b:\n    c: 1\n  d: 2\ne: 3") == .object([
            "a": .object(["b": .object(["c": .number("1")]), "d": .number("2")]), "e": .number("3"),
        ]))
        #expect(try YAMLParser.parse("true: 1\n\"x y\": 2\n-3: 4") == .object([
            "true": .number("1"), "x y": .number("2"), "-3": .number("4"),
        ]))
    }
}
