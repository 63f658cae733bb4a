import BerthJSON
import Testing
import BerthYAML

/// Damaged Compose files: every cut of one with anchors, merges and multi-line flow parses or
/// fails with a position inside the text, never a crash or a position past the end.
@Suite("YAML robustness for Compose files")
struct ComposeYAMLRobustnessTests {
    static let compose = """
    x-base: &base
      restart: always
      environment: {A: "1", B: [x, {y: z}]}
    services:
      web:
        <<: [*base, {init: true}]
        command: ["sh", "-c",
                  'echo ''hi''']   # two lines
        ports: &ports
          - "8080:80"
      api:
        <<: *base
        ports: *ports
        labels: { tier: back }
    """

    @Test func everyTruncationFailsCleanly() {
        let characters = Array(Self.compose)
        var failures = 0
        for length in 0...characters.count {
            let prefix = String(characters[..<length])
            do {
                _ = try YAMLParser.parseNode(prefix)
            } catch {
                failures += 1
                let lineCount = prefix.split(separator: "\n", omittingEmptySubsequences: false).count
                #expect((1...max(lineCount, 1)).contains(error.line), "\(error) for prefix of length \(length)")
                #expect(error.column >= 1)
            }
        }
        #expect(failures > 10)
        let whole = try? YAMLParser.parse(Self.compose)
        #expect(whole?["services"]?["api"]?["ports"] == .array([.string("8080:80")]))
        #expect(whole?["services"]?["api"]?["restart"] == .string("always"))
        #expect(whole?["services"]?["web"]?["command"] == .array([.string("sh"), .string("-c"), .string("echo 'hi'")]))
    }
}
