@testable import BerthCommands
import BerthJournal
import BerthJSON
import BerthModel
import Foundation
import Testing

/// Text from specs, files and engines reaches the terminal with its control characters
/// escaped: no escape sequence repaints the screen, no carriage return or newline forges a line.
struct TerminalEscapeTests {
    static let hostileFile = "specs/\u{1B}[2J\u{1B}[31mok.json\nberth: all good"
    static let buildTail = "building image x/w:1 failed: step 3\n    \u{1B}]0;pwned\u{07}line one\r2026-12-04 berth: converged"

    @Test func historyShowsOneEscapedLinePerRecord() async throws {
        var template = Array("/tmp/berth-escape-XXXXXX".utf8CString)
        let root = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!)! })
        defer { try? FileManager.default.removeItem(atPath: root) }
        let journal = try Journal(path: root + "/journal.jsonl")
        _ = try await journal.append(JournalRecord(event: "invalid", error: "bad spec", file: Self.hostileFile))
        _ = try await journal.append(JournalRecord(event: "apply", name: "w", op: "create", error: Self.buildTail))
        let console = Console.capturing()
        let code = await BerthCLI.run(["history", "--specs", root + "/specs", "--state", root], environment: [:], console: console)
        #expect(code == 0)
        let lines = console.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(!console.stdout.contains("\u{1B}") && !console.stdout.contains("\r") && !console.stdout.contains("\u{07}"))
        #expect(lines[0].hasSuffix(#"(specs/\u{1b}[2J\u{1b}[31mok.json\u{a}berth: all good) — bad spec"#))
        #expect(lines[1].hasSuffix(#" — building image x/w:1 failed: step 3\u{a}    \u{1b}]0;pwned\u{7}line one\u{d}2026-12-04 berth: converged"#))
    }

    @Test func watchLogIsOneEscapedLinePerEvent() {
        let console = Console.capturing()
        Logger(format: .text, console: console)("failed: create docker container w #1: " + Self.buildTail)
        #expect(console.stderr.split(separator: "\n").count == 1)
        #expect(console.stderr.hasSuffix(#"step 3\u{a}    \u{1b}]0;pwned\u{7}line one\u{d}2026-12-04 berth: converged"# + "\n"))
    }

    @Test func applyOutputKeepsLinesButEscapesControls() {
        let console = Console.capturing()
        console.err("failed [1/1]: create docker container w #1: " + Self.buildTail)
        #expect(console.stderr == "failed [1/1]: create docker container w #1: building image x/w:1 failed: step 3\n" + #"    \u001b]0;pwned\u0007line one\u000d2026-12-04 berth: converged"# + "\n")
        let plain = Console.capturing()
        plain.out("+ create docker container web #1: missing — café")
        #expect(plain.stdout == "+ create docker container web #1: missing — café\n")
    }

    /// `--json` output goes through the same console: it must stay JSON with the same values.
    @Test func jsonOutputStaysValidJSON() throws {
        let value = JSONValue.object(["label": .string("a\u{7F}b\u{9B}c\u{2028}d")])
        let console = Console.capturing()
        console.out(value.serialized())
        #expect(!console.stdout.contains("\u{9B}") && !console.stdout.contains("\u{7F}"))
        #expect(try JSONParser.parse(Array(console.stdout.utf8)).value == value)
    }
}
