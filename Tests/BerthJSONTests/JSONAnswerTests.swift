import BerthJSON
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
