import BerthJSON
@testable import BerthModel
import Testing

/// Inputs of the kinds the fuzzer makes, each with the exact line a person sees: nesting far
/// past the limit is a clean error (never a stack overflow), numbers too big for any field
/// are refused with their text, bytes that are not text are named with their position.
struct HostileInputTests {
    static func errors(_ bytes: [UInt8]) -> [String] {
        SpecDecoder.decode(file: "specs/a.json", bytes: bytes).errors.map(\.description)
    }

    /// The 129th opener is refused, at its own column: 128 levels of `[` end at column 128,
    /// of `{"a":` (5 characters a level) at 640, of `[{"k":` (6 characters, two levels) at 384.
    @Test(arguments: [("[", 129), (#"{"a":"#, 641), (#"[{"k":"#, 385)])
    func nestingFarPastTheLimitIsOneError(opener: String, column: Int) throws {
        let input = Array(String(repeating: opener, count: 100_000).utf8)
        let found = Self.errors(input)
        let error = try #require(found.first)
        #expect(found.count == 1)
        #expect(error.hasPrefix("specs/a.json:1:\(column): $"))
        #expect(error.hasSuffix(": invalid JSON: nesting deeper than 128 levels"))
    }

    static let replicas = #"{"name": "web", "image": "busybox:1", "replicas": "#

    /// A key of a million characters (the fuzzer found one taking 720 KB of error line, twice
    /// over) is shown by its first 64 bytes and its size, in the path and in the message.
    @Test(arguments: ["é", "e", "\n"])
    func aHugeUnknownKeyIsShownCut(_ character: String) {
        let key = String(repeating: character, count: 1_000_000)
        let head = JSONPath.abbreviated(key)
        #expect(head.utf8.count < 90 && head.hasSuffix("… (\(key.utf8.count) bytes)"), "\(head)")
        let found = Self.errors(Array((#"{"name": "web", "image": "busybox:1", "# + JSONValue.string(key).serialized() + ": 1}").utf8))
        let line = String(describing: found.first ?? "")
        #expect(found.count == 1)
        #expect(line.utf8.count < 800, "\(line.prefix(800))")
        #expect(line.hasPrefix("specs/a.json:1:39: $[\""), "\(line.prefix(200))")
        #expect(line.contains("unknown field \""), "\(line.prefix(400))")
        let duplicated = Self.errors(Array(("{" + JSONValue.string(key).serialized() + ": 1, " + JSONValue.string(key).serialized() + ": 2}").utf8))
        #expect(duplicated.count == 1 && duplicated[0].utf8.count < 800 && duplicated[0].contains("duplicate key"), "\(duplicated.first?.prefix(400) ?? "")")
    }

    @Test(arguments: ["1e999999", "18446744073709551616", "-9223372036854775809", "1e-999999", "-0.0"])
    func hugeAndOddNumbersAreRefusedWithTheirText(_ number: String) {
        #expect(Self.errors(Array((Self.replicas + number + "}").utf8))
            == ["specs/a.json:1:51: $.replicas: expected an integer from 0 to 1000, got \(number)"])
    }

    @Test func aMillionDigitsAreQuotedShort() {
        let digits = String(repeating: "9", count: 1_000_000)
        #expect(Self.errors(Array((Self.replicas + digits + "}").utf8))
            == ["specs/a.json:1:51: $.replicas: expected an integer from 0 to 1000, got " + String(repeating: "9", count: 40)])
    }

    @Test func minusZeroIsZero() throws {
        let result = SpecDecoder.decode(file: "specs/a.json", bytes: Array((Self.replicas + "-0}").utf8))
        #expect(try #require(result.specs.first).replicas == 0)
    }

    static let bytes: [([UInt8], String)] = [
        (Array(#"{"name": "w"#.utf8) + [0xFF] + Array(#"", "image": "busybox:1"}"#.utf8),
         "specs/a.json:1:12: $.name: invalid JSON: invalid UTF-8 byte 0xFF"),
        (Array(#"{"name": "w"#.utf8) + [0xC0, 0xAF] + Array(#"", "image": "busybox:1"}"#.utf8),
         "specs/a.json:1:12: $.name: invalid JSON: invalid UTF-8 byte 0xC0"),
        (Array(#"{"name": "w"#.utf8) + [0x00] + Array(#"", "image": "busybox:1"}"#.utf8),
         "specs/a.json:1:12: $.name: invalid JSON: control character U+0000 in string"),
        (Array(#"{"\uD800": 1}"#.utf8), #"specs/a.json:1:3: $: invalid JSON: lone surrogate \uD800 in string"#),
        ([0xEF, 0xBB, 0xBF] + Array(#"{"name": 1, "image": "busybox:1"}"#.utf8),
         "specs/a.json:1:10: $.name: expected a string, got number"),
        ([0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array(#"{"name": "web", "image": "busybox:1"}"#.utf8),
         "specs/a.json:1:1: $: invalid JSON: expected a value, got '\u{FEFF}'"),
    ]

    @Test(arguments: bytes)
    func bytesThatAreNotTextAreNamedWhereTheyAre(_ input: [UInt8], _ expected: String) {
        #expect(Self.errors(input) == [expected])
    }
}
