import Testing
@testable import BerthSystem

struct DockerIgnoreTests {
    /// .dockerignore content, a path, and whether Docker leaves that path out.
    struct Case: CustomTestStringConvertible, Sendable {
        let file: String
        let path: String
        let excluded: Bool
        var testDescription: String { "\(file.debugDescription) \(path) -> \(excluded)" }
        init(_ file: String, _ path: String, _ excluded: Bool) {
            self.file = file
            self.path = path
            self.excluded = excluded
        }
    }

    static let table: [Case] = [
        // '*' stays within one name.
        Case("*.log", "a.log", true),
        Case("*.log", "dir/a.log", false),
        Case("*/*.log", "dir/a.log", true),
        Case("*.log", "a.txt", false),
        // '?' is one character, never '/'.
        Case("?.txt", "a.txt", true),
        Case("?.txt", "ab.txt", false),
        Case("a?b", "a/b", false),
        // Classes, ranges, negation, escapes.
        Case("[a-c].md", "b.md", true),
        Case("[a-c].md", "d.md", false),
        Case("[^a].md", "b.md", true),
        Case("[^a].md", "a.md", false),
        Case("[\\]]x", "]x", true),
        Case("\\*", "*", true),
        Case("\\*", "a", false),
        // A matching directory takes everything under it; names are not prefixes.
        Case("build", "build", true),
        Case("build", "build/x/y.o", true),
        Case("build", "builder", false),
        Case("build/", "build/x", true),
        Case("/secret", "secret/key", true),
        Case("./tmp/../cache", "cache/blob", true),
        Case("a/*/c", "a/b/c/d", true),
        // '**' spans any number of directories, including none.
        Case("**/*.log", "a.log", true),
        Case("**/*.log", "x/y/a.log", true),
        Case("**/*.log", "x/y/a.txt", false),
        Case("a/**/b", "a/b", true),
        Case("a/**/b", "a/x/y/b", true),
        Case("a/**/b", "a/xb", false),
        Case("**", "anything/at/all", true),
        Case("foo/**", "foo", false),
        Case("foo/**", "foo/x/y", true),
        Case("**/node_modules", "node_modules", true),
        Case("**/node_modules", "a/node_modules/b", true),
        Case("**/node_modules", "xnode_modules", false),
        // patternmatcher's suffix shortcut: a leading ** with no other wildcard is "ends with".
        Case("**foo", "barfoo", true),
        // Exceptions: the last matching line wins.
        Case("*\n!README.md", "README.md", false),
        Case("*\n!README.md", "main.go", true),
        Case("docs\n!docs/keep.md", "docs/keep.md", false),
        Case("docs\n!docs/keep.md", "docs/other.md", true),
        Case("a.txt\n!a.txt", "a.txt", false),
        Case("!a.txt\na.txt", "a.txt", true),
        Case("a.txt\n!a.txt\na.txt", "a.txt", true),
        Case("**/*.md\n!**/keep.md", "x/keep.md", false),
        // Reading: comments only in the first column, whitespace trimmed, CRLF, BOM.
        Case("# a.txt", "a.txt", false),
        Case("# a.txt", "# a.txt", false),
        Case("  #x", "#x", true),
        Case("  *.tmp  \t", "a.tmp", true),
        Case("! keep.txt\n*.txt\n!  keep.txt", "keep.txt", false),
        Case("a.txt\r\nb.txt\r\n", "b.txt", true),
        Case("\u{FEFF}a.txt", "a.txt", true),
        Case("\n\n   \n", "a", false),
    ]

    @Test(arguments: table)
    func matchesLikeDocker(_ test: Case) throws {
        let ignore = try DockerIgnore(contents: Array(test.file.utf8))
        #expect(ignore.excludes(test.path) == test.excluded)
    }

    @Test func readsPatternsAsDockerKeepsThem() {
        let file = "\u{FEFF}# comment\n\n  /src//lib/./x/  \n!  /keep/../kept\r\n #not-a-comment\n\t\nlast"
        #expect(DockerIgnore.readPatterns(Array(file.utf8)) == ["src/lib/x", "!kept", "#not-a-comment", "last"])
    }

    @Test(arguments: [
        ("[abc", "a character class is not closed with ']'"),
        ("[]", "a character class has a bare ']'"),
        ("[-a]", "a character class has a bare '-'"),
        ("[z-a]", "the character range z-a is reversed"),
        ("a\\", "it ends with an unescaped backslash"),
        ("!", "an exception needs a pattern after '!'"),
    ])
    func rejectsWhatDockerRejects(pattern: String, reason: String) {
        let error = #expect(throws: DockerIgnoreError.self) {
            try DockerIgnore(contents: Array(pattern.utf8))
        }
        #expect(error?.reason == reason)
        #expect(error?.description.hasPrefix("invalid pattern") == true)
    }

    @Test func reincludeNeedsAnExceptionSpelledUnderTheDirectory() throws {
        let named = try DockerIgnore(patterns: ["docs", "!docs/keep.md"])
        #expect(named.mayReinclude(under: "docs"))
        #expect(!named.mayReinclude(under: "doc"))
        // Docker does not look inside for '**' exceptions; neither does berth.
        let wildcard = try DockerIgnore(patterns: ["docs", "!**/keep.md"])
        #expect(!wildcard.mayReinclude(under: "docs"))
        let plain = try DockerIgnore(patterns: ["docs"])
        #expect(wildcard.hasExceptions && !plain.hasExceptions)
    }

    @Test func alwaysIncludeAddsAnExceptionOnlyWhenNeeded() throws {
        var ignore = try DockerIgnore(patterns: ["Dockerfile", "*.md"])
        ignore.alwaysInclude("Dockerfile")
        ignore.alwaysInclude(".dockerignore")
        #expect(ignore.lines == ["Dockerfile", "*.md", "!Dockerfile"])
        #expect(!ignore.excludes("Dockerfile"))
        #expect(ignore.excludes("README.md"))
    }

    @Test(arguments: [
        ("", "."), (".", "."), ("a//b", "a/b"), ("a/./b/", "a/b"), ("a/../..", ".."),
        ("/../a", "/a"), ("../a/../b", "../b"), ("/", "/"), ("a/b/../../c", "c"),
    ])
    func cleansLikeGo(input: String, expected: String) {
        #expect(PathCleaner.clean(input) == expected)
    }
}
