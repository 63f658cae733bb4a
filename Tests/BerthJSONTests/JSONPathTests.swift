import Testing
@testable import BerthJSON

@Suite("Paths")
struct JSONPathTests {
    @Test func plainPaths() {
        #expect(JSONPath.root.description == "$")
        #expect(JSONPath.root.appending(key: "name").description == "$.name")
        #expect(JSONPath.root.appending(key: "env").appending(key: "DB_URL").description == "$.env.DB_URL")
        #expect(JSONPath.root.appending(index: 2).appending(key: "ports").appending(index: 0).description == "$[2].ports[0]")
        #expect(JSONPath.root.appending(key: "a-b_c9").appending(key: "_x").description == "$.a-b_c9._x")
    }

    @Test(arguments: [
        ("a.b", #"$["a.b"]"#),
        ("", #"$[""]"#),
        ("1abc", #"$["1abc"]"#),
        ("-x", #"$["-x"]"#),
        ("a b", #"$["a b"]"#),
        ("a\"b", #"$["a\"b"]"#),
        ("back\\slash", #"$["back\\slash"]"#),
        ("line\nbreak", #"$["line\nbreak"]"#),
        ("ключ", #"$["ключ"]"#),
        ("$", #"$["$"]"#),
    ])
    func keysThatNeedBrackets(_ key: String, _ expected: String) {
        #expect(JSONPath.root.appending(key: key).description == expected)
    }

    @Test func bracketedKeysMixWithOthers() {
        let path = JSONPath.root.appending(key: "services").appending(key: "web.1").appending(key: "ports").appending(index: 3)
        #expect(path.description == #"$.services["web.1"].ports[3]"#)
        #expect(path.parent?.description == #"$.services["web.1"].ports"#)
        #expect(JSONPath.root.parent == nil)
        #expect(path.components.first == .key("services"))
        #expect(!path.isRoot && JSONPath.root.isRoot)
    }

    @Test func pathsAreValues() {
        let one = JSONPath.root.appending(key: "a").appending(index: 0)
        let two = JSONPath(components: [.key("a"), .index(0)])
        #expect(one == two)
        #expect(Set([one, two]).count == 1)
        #expect(one != JSONPath.root.appending(key: "a").appending(key: "0"))
    }
}
