import Foundation
import Testing
@testable import BerthJSON

/// Helpers shared by the test files: parse or capture the syntax error.
func parsed(_ text: String, maxDepth: Int = 128, rejectDuplicateKeys: Bool = true) throws -> JSONNode {
    try JSONParser.parse(text, maxDepth: maxDepth, rejectDuplicateKeys: rejectDuplicateKeys)
}

func syntaxError(_ bytes: [UInt8], maxDepth: Int = 128) -> JSONSyntaxError? {
    do {
        _ = try JSONParser.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

func syntaxError(_ text: String, maxDepth: Int = 128) -> JSONSyntaxError? {
    syntaxError(Array(text.utf8), maxDepth: maxDepth)
}

func pos(_ line: Int, _ column: Int) -> JSONPosition {
    JSONPosition(line: line, column: column)
}

@Suite("Positions")
struct PositionTests {
    static let document = """
    {
      "name": "café",
      "ports": [80, 443],
      "env": {"ÄB": "x", "k": null},
      "n": -1.5e3
    }
    """

    @Test func rootAndMembersOnLaterLines() throws {
        let root = try parsed(Self.document)
        #expect(root.position == pos(1, 1))
        let members = try #require(root.members)
        #expect(members.map(\.key) == ["name", "ports", "env", "n"])
        #expect(members.map(\.keyPosition) == [pos(2, 3), pos(3, 3), pos(4, 3), pos(5, 3)])
        #expect(members.map(\.value.position) == [pos(2, 11), pos(3, 12), pos(4, 10), pos(5, 8)])
    }

    @Test func nestedValuesAfterMultiByteCharacters() throws {
        let root = try parsed(Self.document)
        let ports = try #require(root["ports"]?.elements)
        #expect(ports.map(\.position) == [pos(3, 13), pos(3, 17)])
        let env = try #require(root["env"]?.members)
        #expect(env.map(\.keyPosition) == [pos(4, 11), pos(4, 22)])
        #expect(env.map(\.value.position) == [pos(4, 17), pos(4, 27)])
        #expect(root["n"]?.value == .number("-1.5e3"))
    }

    @Test func columnsCountScalarsNotBytes() throws {
        let twoByte = try parsed(#"{"a": "café", "b": 1}"#)
        #expect(twoByte.member("b")?.keyPosition == pos(1, 15))
        #expect(twoByte["b"]?.position == pos(1, 20))
        let fourByte = try parsed(#"["😀", 2]"#)
        #expect(fourByte.elements?.map(\.position) == [pos(1, 2), pos(1, 7)])
        // Escapes are several characters in the file, so they count as several columns.
        let escaped = try parsed(#"["\n", 2]"#)
        #expect(escaped.elements?.last?.position == pos(1, 8))
    }

    @Test func lineBreaksAndByteOrderMark() throws {
        let crlf = try parsed("[\r\n1,\r\n  2]")
        #expect(crlf.elements?.map(\.position) == [pos(2, 1), pos(3, 3)])
        let bom = try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))
        #expect(bom.position == pos(1, 1))
        #expect(bom.elements?.first?.position == pos(1, 2))
    }

    @Test func typeNamesAndValues() throws {
        let root = try parsed(#"[null, true, 0, "s", [], {}]"#)
        let elements = try #require(root.elements)
        #expect(elements.map(\.typeName) == ["null", "boolean", "number", "string", "array", "object"])
        #expect(elements.map(\.value.typeName) == ["null", "boolean", "number", "string", "array", "object"])
        #expect(root.value == .array([.null, .bool(true), .number("0"), .string("s"), .array([]), .object([:])]))
    }

    @Test func stringEscapesDecode() throws {
        let root = try parsed(#"["\"\\\/\b\f\n\r\t", "\u00e9\uD83D\uDE00", "\u0000"]"#)
        #expect(root.value == .array([.string("\"\\/\u{8}\u{C}\n\r\t"), .string("é😀"), .string("\u{0}")]))
    }

    @Test func overloadsAgree() throws {
        let text = #"{"a": [1, "x"]}"#
        let fromString = try JSONParser.parse(text).value
        let fromBytes = try JSONParser.parse(Array(text.utf8)).value
        let fromData = try JSONParser.parse(text.data(using: .utf8)!).value
        #expect(fromString == fromBytes)
        #expect(fromData == fromBytes)
        #expect(fromString["a"] == .array([.number("1"), .string("x")]))
    }

    @Test func positionDescriptionAndOrder() {
        #expect(pos(12, 7).description == "12:7")
        #expect(pos(1, 9) < pos(2, 1))
        #expect(pos(2, 1) < pos(2, 3))
    }
}
