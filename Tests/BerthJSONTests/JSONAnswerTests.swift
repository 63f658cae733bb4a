import BerthJSON
import Foundation
import Testing

/// Engine and API server answers are parsed by one function, whatever the platform.
struct JSONAnswerTests {
    @Test(arguments: [
        ("", nil),
        ("not json", nil),
        ("{\"Id\": \"abc\", \"Names\": [\"/web-1\"], \"Running\": true, \"Count\": 2}",
         JSONValue.object(["Id": .string("abc"), "Names": .array([.string("/web-1")]), "Running": .bool(true), "Count": .number("2")])),
        ("\"just a string\"", JSONValue.string("just a string")),
        ("[]", JSONValue.array([])),
    ] as [(String, JSONValue?)])
    func answersParseAsJSONValues(text: String, expected: JSONValue?) {
        #expect(JSONValue(answer: Array(text.utf8)) == expected)
    }
}

/// Answers read by berth's parser equal what JSONSerialization (berth's reader before issue 16)
/// made of them, numbers included.
struct JSONAnswerFoundationTests {
    @Test(arguments: [
        "{\"Id\": \"abc\", \"Count\": 2, \"Ratio\": 1.50, \"Big\": 18446744073709551615, \"Neg\": -42}",
        "[1e3, 0.1, -0, 2.5e-3, 123456789012, true, false, null, \"\\u00e9\\n\"]",
        "{\"a\": {\"b\": [{\"c\": 1}, []]}, \"a2\": {}}",
        "{\"dup\": 1, \"dup\": 2}",
        "3.0", "\"text\"", "null",
    ])
    func answersMatchJSONSerialization(text: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(JSONValue(answer: Array(text.utf8)) == JSONValue(foundation: object))
    }

    /// The one known difference: JSONSerialization read Int64.min as a Double.
    @Test func theSmallestInt64StaysAnInteger() {
        #expect(JSONValue(answer: Array("-9223372036854775808".utf8)) == .number("-9223372036854775808"))
    }
}
