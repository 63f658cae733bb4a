import Foundation
import Testing
@testable import BerthJSON

@Suite("Values")
struct JSONValueTests {
    @Test func canonicalTextSortsKeysByUTF8Bytes() throws {
        let value = try parsed(#"{"b": 1, "a": [true, null, "x"], "A": {"z": 2, "": 3}}"#).value
        #expect(value.canonicalText == #"{"A":{"":3,"z":2},"a":[true,null,"x"],"b":1}"#)
        // Byte order, not Unicode collation: a decomposed "é" (65 CC 81) sorts before "f",
        // while the precomposed one (C3 A9) sorts after "z".
        // (Swift's String equality calls the two forms equal, so they go in separate objects.)
        let decomposed: JSONValue = .object(["e\u{301}": .null, "f": .null])
        #expect(decomposed.canonicalText == "{\"e\u{301}\":null,\"f\":null}")
        let precomposed: JSONValue = .object(["\u{E9}": .null, "f": .null, "z": .null])
        #expect(precomposed.canonicalText == "{\"f\":null,\"z\":null,\"\u{E9}\":null}")
    }

    @Test func canonicalTextEscapesMinimally() {
        let value: JSONValue = .string("q\"b\\s/\n\t\r\u{8}\u{C}\u{0}\u{1F}\u{7F}é😀")
        #expect(value.canonicalText == #""q\"b\\s/\n\t\r\b\f\u0000\u001f"# + "\u{7F}é😀\"")
    }

    @Test func canonicalTextKeepsNumberLiterals() throws {
        let value = try parsed("[1.50, 1E+2, -0, 12345678901234567890123]").value
        #expect(value.canonicalText == "[1.50,1E+2,-0,12345678901234567890123]")
    }

    @Test func canonicalTextIsStableAcrossConstructionOrder() throws {
        var first: [String: JSONValue] = [:]
        var second: [String: JSONValue] = [:]
        let keys = (0..<200).map { "key\($0)" }
        for key in keys { first[key] = .string(key) }
        for key in keys.reversed() { second[key] = .string(key) }
        #expect(JSONValue.object(first).canonicalText == JSONValue.object(second).canonicalText)

        let text = #"{"z": {"y": [1, {"b": "\u0001", "a": false}]}, "x": "é"}"#
        let once = try parsed(text).value.canonicalText
        let twice = try parsed(once).value.canonicalText
        #expect(once == twice)
        #expect(once == #"{"x":"é","z":{"y":[1,{"a":false,"b":"\u0001"}]}}"#)
    }

    @Test func prettyOutputIndentsTwoSpaces() throws {
        let value = try parsed(#"{"b": "x", "a": [1, {}, []], "c": {"d": null}}"#).value
        #expect(value.serialized(pretty: true) == """
        {
          "a": [
            1,
            {},
            []
          ],
          "b": "x",
          "c": {
            "d": null
          }
        }
        """)
        #expect(value.serialized() == value.canonicalText)
        #expect(try parsed(value.serialized(pretty: true)).value == value)
        #expect(String(decoding: value.data, as: UTF8.self) == value.canonicalText)
    }

    @Test func mergingIsDeepForObjectsOnly() throws {
        let base = try parsed(#"{"a": {"x": 1, "y": 2}, "b": [1, 2], "c": "keep", "e": {"f": 1}}"#).value
        let overlay = try parsed(#"{"a": {"y": 3, "z": 4}, "b": [9], "d": null, "e": "flat"}"#).value
        let merged = base.merging(overlay)
        #expect(merged.canonicalText == #"{"a":{"x":1,"y":3,"z":4},"b":[9],"c":"keep","d":null,"e":"flat"}"#)
        #expect(JSONValue.object(["a": .number("1")]).merging(.string("s")) == .string("s"))
        #expect(JSONValue.number("1").merging(.object(["k": .null])) == .object(["k": .null]))
        #expect(base.merging(.object([:])) == base)
    }

    @Test func accessors() throws {
        let value = try parsed(#"{"s": "text", "b": false, "o": {"k": 1}, "a": [1]}"#).value
        #expect(value["s"]?.stringValue == "text")
        #expect(value["b"]?.boolValue == false)
        #expect(value["o"]?.objectValue == ["k": .number("1")])
        #expect(value["a"]?.arrayValue == [.number("1")])
        #expect(value["missing"] == nil)
        #expect(value["s"]?["k"] == nil)
        #expect(value["s"]?.intValue == nil)
        #expect(value["o"]?.stringValue == nil)
        #expect(JSONValue.string("1").intValue == nil)
    }

    @Test(arguments: [
        ("42", 42), ("-7", -7), ("1e3", 1000), ("2.0", 2), ("-0", 0),
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ])
    func intValueForWholeNumbers(_ literal: String, _ expected: Int) {
        #expect(JSONValue.number(literal).intValue == expected)
    }

    @Test(arguments: ["1.5", "9223372036854775808", "1e400", "1e19", "-1e-3"])
    func intValueIsNilWhenItDoesNotFit(_ literal: String) {
        #expect(JSONValue.number(literal).intValue == nil)
    }

    @Test func foundationRoundTrip() throws {
        let text = #"{"name": "web", "on": true, "off": false, "one": 1, "zero": 0, "half": 1.5, "neg": -3, "nothing": null, "list": [1, "two", [false]], "nested": {"é": "ü"}}"#
        let value = try parsed(text).value
        let object = try JSONSerialization.jsonObject(with: value.data)
        #expect(JSONValue(foundation: object) == value)
        let rewritten = try JSONSerialization.data(withJSONObject: value.foundationObject)
        #expect(try JSONParser.parse(rewritten).value == value)
    }

    @Test func foundationBridgeKeepsBooleansApartFromNumbers() throws {
        let object = try JSONSerialization.jsonObject(with: Data("[true, 1, 0, false]".utf8))
        #expect(JSONValue(foundation: object) == .array([.bool(true), .number("1"), .number("0"), .bool(false)]))
        let native: [String: Any] = ["i": 5, "d": 2.5, "b": true, "s": "x", "n": NSNull(), "a": [1]]
        #expect(JSONValue(foundation: native) == .object([
            "i": .number("5"), "d": .number("2.5"), "b": .bool(true), "s": .string("x"), "n": .null, "a": .array([.number("1")]),
        ]))
        #expect(JSONValue(foundation: Date()) == nil)
        #expect(JSONValue(foundation: [Double.nan]) == nil)
    }
}
