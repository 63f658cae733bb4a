import BerthJSON
import Testing
import BerthYAML

/// Inputs outside the subset: each must fail with the exact position, never crash.
@Suite("YAML errors")
struct ErrorTests {
    @Test(arguments: [
        ("a: 1\nb: *anchor", 2, 4, "unknown anchor \"anchor\"; an alias can only name an anchor (`&anchor`) defined above it"),
        ("a: *", 1, 4, "an alias needs a name after `*`"),
        ("b: *a\na: &a 1", 1, 4, "unknown anchor \"a\"; an alias can only name an anchor (`&a`) defined above it"),
        ("a: &a 1\n<<: *a", 2, 5, "a merge key `<<` takes a mapping or a list of mappings, got number"),
        ("a: &a 1\nb:\n  <<: [*a]", 3, 7, "a merge key `<<` takes a mapping or a list of mappings, got a list holding number"),
        ("a: !!str 1", 1, 4, "tags (`!`) are not supported"),
        ("- !tag x", 1, 3, "tags (`!`) are not supported"),
        ("&a key: 1", 1, 1, "an anchor on a mapping must stand alone on its line, with the mapping below it"),
        ("a: 1\n&b c: 2", 2, 1, "an anchor (`&`) cannot name a mapping key"),
        ("? complex\n: key", 1, 1, "complex mapping keys (`? `) are not supported"),
        ("a: 1\n---\nb: 2", 2, 1, "multiple documents are not supported"),
        ("a: 1\n...\n---\nb: 2", 3, 1, "multiple documents are not supported"),
        ("a: 1\n...\nb: 2", 3, 1, "unexpected content after the document end marker `...`"),
        ("---\n---\n", 2, 1, "multiple documents are not supported"),
        ("%YAML 1.2\n---\na: 1", 1, 1, "YAML directives are not supported"),
        ("--- a: 1", 1, 5, "content on the `---` line is not supported; start it on the next line"),
        ("a:\n\tb: 1", 2, 1, "tabs are not allowed for indentation; use spaces"),
        ("a:\n  b: 1\n  \tc: 2", 3, 3, "tabs are not allowed for indentation; use spaces"),
        ("a: 1\n  b: 2", 2, 3, "unexpected indentation (multi-line plain scalars are not supported)"),
        ("a:\n    b: 1\n  c: 2", 3, 3, "unexpected indentation (multi-line plain scalars are not supported)"),
        ("- a\n  b", 2, 3, "unexpected indentation (multi-line plain scalars are not supported)"),
        ("- a\nb: 1", 2, 1, "expected a sequence entry `- `"),
        ("a: 1\n- b", 2, 1, "expected a mapping entry `key: value`"),
        ("a: 1\nplain", 2, 1, "expected a mapping entry `key: value`"),
        ("a: 1\na: 2", 2, 1, "duplicate mapping key \"a\""),
        ("a: {x: 1, x: 2}", 1, 11, "duplicate mapping key \"x\""),
        ("a: b: c", 1, 5, "a mapping value is not allowed here; quote the text if it contains \": \""),
        ("a: -", 1, 4, "a block sequence cannot start on the same line as its key"),
        ("a: - b", 1, 4, "a block sequence cannot start on the same line as its key"),
        ("a: \"open", 1, 4, "a quoted string is not closed"),
        ("a: 'open\n  more", 1, 4, "a quoted string is not closed"),
        ("a: \"x\n---\n\"", 1, 4, "a quoted string is not closed"),
        ("a: \"bad \\q\"", 1, 9, "unknown escape sequence in a double-quoted string"),
        ("a: \"\\u12\"", 1, 5, "expected 4 hexadecimal digits after `\\u`"),
        ("a: \"\\uD800\"", 1, 5, "escape is not a valid Unicode scalar"),
        ("a: \"x\\", 1, 4, "a quoted string is not closed"),
        ("a: \"x\" y", 1, 8, "unexpected text after the value"),
        ("a: [1, 2", 1, 4, "a flow collection is not closed"),
        ("a: [1,\n  2\nb: 3", 3, 1, "expected `,` or `]`"),
        ("a: [1,\n  2,\n", 1, 4, "a flow collection is not closed"),
        ("a: [1, [2]", 1, 4, "a flow collection is not closed"),
        ("a: {b: [1}", 1, 10, "expected `,` or `]`"),
        ("a: {[b]: 1}", 1, 5, "only plain or quoted scalars can be mapping keys"),
        ("a: [b: 1]", 1, 6, "mappings inside flow sequences are not supported"),
        ("a: [1 2 } ]", 1, 9, "expected `,` or `]`"),
        ("a: [1,,2]", 1, 7, "expected a value"),
        ("a: [] x", 1, 7, "unexpected text after the value"),
        ("{a: 1}: b", 1, 7, "only plain or quoted scalars can be mapping keys"),
        ("a: 1\n[b]: c", 2, 1, "only plain or quoted scalars can be mapping keys"),
        (": x", 1, 1, "a mapping key is missing before `:`"),
        ("a: |x\n  y", 1, 5, "invalid block scalar header"),
        ("a: | x\n  y", 1, 6, "unexpected text after the value"),
        ("a: @x", 1, 4, "unexpected `@`"),
        ("a: ]", 1, 4, "unexpected `]`"),
        ("é: [ü, ? x]", 1, 8, "complex mapping keys (`? `) are not supported"),
    ])
    func unsupportedInputs(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        #expect(throws: YAMLError(line: line, column: column, message: message)) {
            try YAMLParser.parse(text)
        }
    }

    @Test func descriptionIsLineColonColumn() {
        #expect(YAMLError(line: 3, column: 7, message: "bad").description == "3:7: bad")
    }

    /// Nesting beyond the cap is refused instead of overflowing the stack.
    @Test func deepNestingIsRefused() {
        let text = (0..<200).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n")
        #expect(throws: YAMLError(line: 65, column: 65, message: "nesting deeper than 64 levels is not supported")) {
            try YAMLParser.parse(text)
        }
        let dashes = String(repeating: "- ", count: 500) + "x"
        #expect(throws: YAMLError(line: 1, column: 129, message: "nesting deeper than 64 levels is not supported")) {
            try YAMLParser.parse(dashes)
        }
    }

    /// Large inputs parse in time proportional to their size; a quadratic parser would
    /// take minutes on these.
    @Test(.timeLimit(.minutes(5))) func largeInputsAreLinear() throws {
        let entries = 20_000
        let list = "items:\n" + (0..<entries).map { "- name: n\($0)\n  data: \"x\\ty\"\n" }.joined()
        #expect(try YAMLParser.parse(list)["items"]?.arrayValue?.count == entries)
        let line = String(repeating: "a", count: 2_000_000)
        #expect(try YAMLParser.parse("k: \(line)")["k"] == .string(line))
        let block = "k: |\n" + String(repeating: "  abc\n", count: 200_000)
        #expect(try YAMLParser.parse(block)["k"]?.stringValue?.utf8.count == 800_000)
        // One line of a flow list: each item's column is counted on from the last one.
        let flow = "k: [" + (0..<200_000).map { "i\($0)" }.joined(separator: ", ") + "]"
        #expect(try YAMLParser.parse(flow)["k"]?.arrayValue?.count == 200_000)
    }

    /// Flow collections nest only as deep as block ones.
    @Test func deepFlowNestingIsRefused() {
        let text = "k: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: YAMLError.self) { try YAMLParser.parse(text) }
    }
}

/// Damaged files: every truncation of a real config either parses or fails with a
/// position inside the text, never a crash or a position past the end.
@Suite("YAML robustness")
struct RobustnessTests {
    static let config = """
    clusters:
    - cluster:
        certificate-authority-data: "LS0t\\u0041"
        server: https://10.0.0.1:6443
      name: prod
    users:
    - name: admin
      user:
        exec: {command: aws, args: ['a', "b"]}
        ca: |-
          line
    preferences: {}
    """

    @Test func everyTruncationFailsCleanly() {
        let characters = Array(Self.config)
        var failures = 0
        for length in 0...characters.count {
            let prefix = String(characters[..<length])
            do {
                _ = try YAMLParser.parse(prefix)
            } catch {
                failures += 1
                let lineCount = prefix.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect((1...lineCount).contains(error.line), "\(error) for prefix of length \(length)")
                #expect(error.column >= 1)
            }
        }
        // Cut-off quotes and flow collections must be among the failures.
        #expect(failures > 10)
    }
}
