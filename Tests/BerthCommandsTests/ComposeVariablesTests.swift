@testable import BerthCommands
import Testing

/// Compose's substitution rules, from the environment first and the .env file second.
@Suite("Compose variables")
struct ComposeVariablesTests {
    let variables = ComposeVariables(environment: ["SET": "env", "EMPTY": "", "BOTH": "from-env"],
                                     dotEnv: ["BOTH": "from-dotenv", "ONLY_FILE": "file"])

    @Test(arguments: [
        ("plain", "plain"),
        ("$SET", "env"),
        ("${SET}", "env"),
        ("a-${SET}-b", "a-env-b"),
        ("${BOTH}", "from-env"),
        ("${ONLY_FILE}", "file"),
        ("${MISSING:-fallback}", "fallback"),
        ("${MISSING-fallback}", "fallback"),
        ("${EMPTY:-fallback}", "fallback"),
        ("${EMPTY-fallback}", ""),
        ("${SET:-fallback}", "env"),
        ("${MISSING:-${SET}}", "env"),
        ("${SET:+alt}", "alt"),
        ("${MISSING:+alt}", ""),
        ("$$SET", "$SET"),
        ("cost: $$5", "cost: $5"),
        ("a $ b", "a $ b"),
        ("${SET:?required}", "env"),
    ])
    func substitutes(_ text: String, _ expected: String) throws {
        var unset: [String] = []
        #expect(try variables.substitute(text, unset: &unset) == expected)
        #expect(unset.isEmpty)
    }

    @Test func unsetWithoutDefaultIsEmptyAndNamed() throws {
        var unset: [String] = []
        #expect(try variables.substitute("x${NOPE}y$ALSO_NOT", unset: &unset) == "xy")
        #expect(unset == ["NOPE", "ALSO_NOT"])
    }

    @Test(arguments: [
        ("${MISSING:?set it first}", "MISSING is required: set it first"),
        ("${EMPTY:?}", "EMPTY is required: it is not set"),
        ("${OPEN", "\"${\" is not closed with \"}\"; write $$ for a literal dollar sign"),
        ("${1A}", "\"${1A}\" is not a variable; a name is letters, digits and _, not starting with a digit"),
        ("${A*b}", "\"${A*b}\": expected :-, -, :?, ?, :+ or + after the name"),
    ])
    func refuses(_ text: String, _ message: String) {
        var unset: [String] = []
        #expect(throws: ComposeVariables.Failure(message: message)) { try variables.substitute(text, unset: &unset) }
    }

    @Test func dotEnvFile() throws {
        let text = """
        # comment
        A=1
        export B = two words
        C='single $NOT'
        D="line\\nbreak"
        E=value # trailing comment

        F=
        """
        let pairs = try ComposeVariables.parseEnvFile(text)
        #expect(pairs.map(\.0) == ["A", "B", "C", "D", "E", "F"])
        #expect(pairs.map(\.1) == ["1", "two words", "single $NOT", "line\nbreak", "value", ""])
        #expect(throws: ComposeVariables.Failure(message: "line 2: expected KEY=VALUE")) {
            try ComposeVariables.parseEnvFile("A=1\nnot a pair")
        }
    }

    @Test func wholeReferences() {
        #expect(ComposeVariables.wholeReference("${DB_PASSWORD}") == "DB_PASSWORD")
        #expect(ComposeVariables.wholeReference("$TOKEN") == "TOKEN")
        #expect(ComposeVariables.wholeReference("${A:-x}") == nil)
        #expect(ComposeVariables.wholeReference("x${A}") == nil)
    }

    @Test func shellWords() throws {
        #expect(try ShellWords.split(#"sh -c 'echo "hi there"' "a b" c\ d"#) == ["sh", "-c", #"echo "hi there""#, "a b", "c d"])
        #expect(try ShellWords.split("  ") == [])
        #expect(throws: ShellWords.Failure.self) { try ShellWords.split("'open") }
    }
}
