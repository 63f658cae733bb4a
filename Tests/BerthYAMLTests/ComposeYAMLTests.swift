import BerthJSON
import Testing
import BerthYAML

/// What Compose files use beyond kubeconfig's subset: anchors, aliases, merge keys, nested
/// and multi-line flow collections, with every value keeping its line and column.
@Suite("YAML for Compose files")
struct ComposeYAMLTests {
    @Test func anchorsAliasesAndMergeKeys() throws {
        let text = """
        x-common: &common
          restart: always
          labels: {team: web}
        x-env: &env
          LOG: debug
        services:
          web:
            <<: *common
            restart: "no"
            environment: *env
          api:
            <<: [*common, {init: true}]
            image: &img api:1
            command: [*img, --flag]
        """
        let value = try YAMLParser.parse(text)
        let services = value["services"]!
        #expect(services["web"] == .object(["restart": .string("no"), "labels": .object(["team": .string("web")]),
                                            "environment": .object(["LOG": .string("debug")])]))
        #expect(services["api"]!["restart"] == .string("always"))
        #expect(services["api"]!["init"] == .bool(true))
        #expect(services["api"]!["command"] == .array([.string("api:1"), .string("--flag")]))
    }

    /// In a list of merged mappings the earlier one wins, and the mapping's own keys win over all.
    @Test func mergeOrder() throws {
        let text = """
        a: &a {k: a, only-a: 1}
        b: &b {k: b, only-b: 2}
        c:
          <<: [*a, *b]
        d:
          k: own
          <<: *a
        """
        let value = try YAMLParser.parse(text)
        #expect(value["c"] == .object(["k": .string("a"), "only-a": .number("1"), "only-b": .number("2")]))
        #expect(value["d"] == .object(["k": .string("own"), "only-a": .number("1")]))
    }

    @Test func flowCollectionsNestAndSpanLines() throws {
        let text = """
        healthcheck:
          test: ["CMD", "curl", "-f",   # a comment inside
                 "http://localhost:8080/"]
          env: {A: [1, 2], B: {c: d}, E: "x, y", url: http://h:80/p}
        empty: [ ]
        """
        let value = try YAMLParser.parse(text)
        #expect(value["healthcheck"]!["test"] == .array(["CMD", "curl", "-f", "http://localhost:8080/"].map(JSONValue.string)))
        #expect(value["healthcheck"]!["env"] == .object([
            "A": .array([.number("1"), .number("2")]), "B": .object(["c": .string("d")]),
            "E": .string("x, y"), "url": .string("http://h:80/p"),
        ]))
        #expect(value["empty"] == .array([]))
    }

    /// Quoted values may span lines: breaks fold into spaces, empty lines are kept breaks,
    /// and a backslash at the end of a double-quoted line joins without a space.
    @Test func quotedScalarsSpanLines() throws {
        let text = """
        a: "one
          two   
          three"
        b: 'x

          y'
        c: "join\\
           ed"
        d: ["multi
            line", after]
        e: "#not a comment
          \\"q\\""
        """
        let value = try YAMLParser.parse(text)
        #expect(value["a"] == .string("one two three"))
        #expect(value["b"] == .string("x\ny"))
        #expect(value["c"] == .string("joined"))
        #expect(value["d"] == .array([.string("multi line"), .string("after")]))
        #expect(value["e"] == .string("#not a comment \"q\""))
    }

    @Test func nodesKeepTheirPositions() throws {
        let text = """
        services:
          web:
            image: busybox:1
            ports: ["80:80",
                    "81:81"]
        """
        let root = try YAMLParser.parseNode(text)
        let web = try #require(root.member("services")?.value.member("web"))
        #expect(web.keyPosition == JSONPosition(line: 2, column: 3))
        let image = try #require(web.value.member("image"))
        #expect(image.keyPosition == JSONPosition(line: 3, column: 5))
        #expect(image.value.position == JSONPosition(line: 3, column: 12))
        let ports = try #require(web.value.member("ports")?.value.elements)
        #expect(ports.map(\.position) == [JSONPosition(line: 4, column: 13), JSONPosition(line: 5, column: 13)])
    }

    /// Merged members keep the positions where they were written, under the anchor.
    @Test func mergedMembersPointAtTheirDefinition() throws {
        let text = "base: &b\n  init: true\nweb:\n  <<: *b\n"
        let root = try YAMLParser.parseNode(text)
        let member = try #require(root.member("web")?.value.member("init"))
        #expect(member.keyPosition == JSONPosition(line: 2, column: 3))
    }

    /// Nested aliases that would expand to billions of nodes are refused, quickly.
    @Test func aliasBombIsRefused() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1...9 {
            let refs = Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(i): &a\(i) [\(refs)]")
        }
        #expect(throws: YAMLError.self) { try YAMLParser.parse(lines.joined(separator: "\n")) }
    }
}
