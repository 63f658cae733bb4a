import Testing
@testable import BerthJSON

@Suite("Robustness")
struct RobustnessTests {
    /// Touches every construct: nesting, escapes, surrogate pairs, multi-byte text,
    /// numbers with fractions and exponents, literals, several lines.
    static let sample = Array("""
    {"name": "wéb-😀", "image": "nginx:1.27",
     "ports": [80, -443, 1.5e3, 0.25E-2], "env": {"A": "x\\ny\\u00e9\\uD83D\\uDE00", "B": null},
     "flags": [true, false, {}, [], [[]]], "n": 0}
    """.utf8)

    static let truncationMessages: Set<String> = [
        "unexpected end of input", "unterminated string", "invalid UTF-8 byte 0xC3", "invalid UTF-8 byte 0xF0",
    ]

    @Test func everyTruncationIsRejectedAtTheEnd() throws {
        let full = try JSONParser.parse(Self.sample)
        #expect(full.members?.map(\.key) == ["name", "image", "ports", "env", "flags", "n"])
        let lastLine = Self.sample.split(separator: 0x0A, omittingEmptySubsequences: false).count
        for length in 0..<Self.sample.count {
            let prefix = Array(Self.sample[0..<length])
            let error = try #require(syntaxError(prefix), "prefix of \(length) bytes parsed")
            #expect(Self.truncationMessages.contains(error.message), "\(length): \(error)")
            #expect(error.position.line >= 1 && error.position.line <= lastLine, "\(length): \(error)")
            #expect(error.position.column >= 1, "\(length): \(error)")
        }
    }

    @Test func bitFlipsNeverCrashAndSurvivorsRoundTrip() throws {
        var rejected = 0
        for index in Self.sample.indices {
            for bit in 0..<8 {
                var mutated = Self.sample
                mutated[index] ^= UInt8(1) << UInt8(bit)
                do {
                    let value = try JSONParser.parse(mutated).value
                    #expect(try JSONParser.parse(value.canonicalText).value == value)
                } catch {
                    rejected += 1
                    #expect(error.position.line >= 1 && error.position.column >= 1)
                    #expect(!error.message.isEmpty)
                }
            }
        }
        // Most single-bit changes break JSON; if almost none are rejected, the parser is too lax.
        #expect(rejected > Self.sample.count * 4)
    }

    @Test func largeSingleLineDocumentParsesInLinearTime() throws {
        // ~5 MB on one line: the worst case for column tracking, which must not rescan
        // the line for every value.
        let count = 80_000
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(count * 70)
        for index in 0..<count {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"id":\#(index),"name":"service-\#(index)","tags":["é","b"],"on":true}"#.utf8)
        }
        bytes.append(UInt8(ascii: "]"))
        #expect(bytes.count > 5_000_000)
        let root = try JSONParser.parse(bytes)
        let elements = try #require(root.elements)
        #expect(elements.count == count)
        #expect(elements.last?["id"]?.value == .number(String(count - 1)))
        // Element i starts after i earlier elements and commas; check the column agrees.
        let lengthBefore = (0..<(count - 1)).reduce(1) { sum, index in
            sum + #"{"id":\#(index),"name":"service-\#(index)","tags":["é","b"],"on":true}"#.unicodeScalars.count + 1
        }
        #expect(elements.last?.position == pos(1, lengthBefore + 1))
    }

    @Test func manyLinesTrackLineNumbers() throws {
        let lines = 50_000
        let text = "[\n" + (0..<lines).map { "  \($0)" }.joined(separator: ",\n") + "\n]"
        let root = try parsed(text)
        #expect(root.elements?.count == lines)
        #expect(root.elements?.last?.position == pos(lines + 1, 3))
    }

    @Test func veryLongStringsAndNumbers() throws {
        let plain = String(repeating: "abcdé", count: 200_000)
        #expect(try parsed("\"\(plain)\"").value == .string(plain))
        let escaped = String(repeating: #"a\n\u00e9"#, count: 100_000)
        let decoded = try parsed("\"\(escaped)\"").value.stringValue
        #expect(decoded?.unicodeScalars.count == 300_000)
        let digits = "9" + String(repeating: "0", count: 100_000)
        let number = try parsed("[\(digits)]").elements?.first?.value
        #expect(number == .number(digits))
        #expect(number?.intValue == nil)
    }

    @Test func nulBytesAreRejectedWithPositions() throws {
        let inString = try #require(syntaxError([0x5B, 0x22, 0x00, 0x22, 0x5D]))
        #expect(inString.description == "1:3: $[0]: control character U+0000 in string")
        let trailing = try #require(syntaxError([0x31, 0x00]))
        #expect(trailing.description == "1:2: $: unexpected trailing content")
    }
}
