@testable import BerthCommands
import Foundation
import Testing

/// The command line as a user meets it: each command takes only its own options, mistakes get
/// a usage exit code and a suggestion, and nothing is written before the arguments are right.
struct CommandLineTests {
    static func run(_ argv: [String], in folder: URL? = nil) async -> (code: Int32, out: String, err: String) {
        let console = Console.capturing()
        let code = await BerthCLI.run(argv, environment: ["DOCKER_HOST": "unix:///nonexistent/berth-test.sock"], console: console)
        return (code, console.stdout, console.stderr)
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("specs"), withIntermediateDirectories: true)
        return dir
    }

    @Test(arguments: [
        (["apply", "--name", "a"], "--name is not an option of apply (it belongs to history); see berth help apply"),
        (["plan", "--parallel", "4"], "--parallel is not an option of plan (it belongs to apply, watch); see berth help plan"),
        (["plan", "--debounce", "1s"], "--debounce is not an option of plan (it belongs to watch); see berth help plan"),
        (["aply"], "unknown command \"aply\"; did you mean apply? (commands: validate, plan, apply, watch, down, show, status, history, release, keys, seal, suspend, resume, install-service, completion, manual, import, logs, ps, help, version; see berth help)"),
        (["plan", "--jsn"], "unknown option --jsn; did you mean --json?"),
        (["plan", "-out", "plan.json"], "--out names a file ending in .berth (apply knows a saved plan by it), got \"plan.json\""),
        (["apply", "plan.berth", "web"], "apply takes spec names or one saved plan file, not both (plan.berth web)"),
        (["apply", "plan.berth", "--yes"], "--yes does not go with a saved plan: what it applies was fixed when it was made (make it again with the option: berth plan --yes ... -out plan.berth)"),
        (["show"], "show takes one saved plan file, FILE.berth (made by berth plan -out FILE.berth)"),
        (["plan", "--color", "sometimes"], "--color is auto, always or never, got \"sometimes\""),
        (["apply", "--parallel", "abc"], "--parallel must be a whole number from 1 to 256, got \"abc\""),
        (["apply", "--timeout", "1m"], "--timeout only applies with --wait; add --wait or drop --timeout"),
        (["status", "web"], "status takes no arguments, got \"web\"; see berth help status"),
        (["release"], "release needs the names of removed specs whose deletion is held, or --all; `berth status` lists them"),
        (["watch", "--log-format", "xml"], "--log-format is text or json, got \"xml\""),
        (["plan", "Web"], "\"Web\" is not a spec name (lowercase letters, digits and '-')"),
        (["keys"], "keys takes one action, init or show"),
        (["keys", "rotate"], "keys takes one action, init or show, got \"rotate\""),
        (["seal", "a", "b"], "seal takes at most one value (quote it, or better pipe it on stdin)"),
        (["import", "docker-compose.yml"], "import takes the format and a file: berth import compose docker-compose.yml"),
        (["logs"], "logs takes one spec name"),
        (["logs", "a", "b"], "logs takes one spec name, got 2"),
        (["logs", "Web"], "\"Web\" is not a spec name (lowercase letters, digits and '-')"),
        (["logs", "web", "--tail", "-1"], "--tail must be a whole number from 0 to 100000000, got \"-1\""),
        (["ps", "-f"], "--follow is not an option of ps (it belongs to logs); see berth help ps"),
    ])
    func usageErrorsAreOneLineWithTheirOwnExitCode(argv: [String], message: String) async {
        let result = await Self.run(argv)
        #expect(result.code == ExitCode.usage)
        #expect(result.err == "berth: \(message)\n")
        #expect(result.out.isEmpty)
    }

    @Test func aCommandThatFailsOnItsArgumentsCreatesNothing() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state").path
        for argv in [["apply", "--parallel", "abc"], ["watch", "--resync", "0s"], ["apply", "--specs", dir.appendingPathComponent("none").path]] {
            let result = await Self.run(argv + ["--state", state])
            #expect(result.code != ExitCode.ok)
            #expect(!FileManager.default.fileExists(atPath: state), "\(argv) left \(state) behind")
        }
    }

    @Test func helpIsPerCommand() async {
        let plan = await Self.run(["plan", "--help"])
        #expect(plan.code == ExitCode.ok)
        #expect(plan.out.hasPrefix("usage: berth plan [--json] [--detailed-exitcode]"))
        #expect(plan.out.contains("--detailed-exitcode"))
        #expect(!plan.out.contains("--debounce"))
        let same = await Self.run(["help", "plan"])
        #expect(same.out == plan.out)
        let overview = await Self.run(["help"])
        #expect(overview.code == ExitCode.ok && overview.out.contains("release"))
        let unknown = await Self.run(["help", "aply"])
        #expect(unknown.code == ExitCode.usage && unknown.err.contains("did you mean apply?"))
        let bare = await Self.run([])
        #expect(bare.code == ExitCode.usage && bare.err.hasPrefix("usage: berth COMMAND"))
    }

    @Test func versionNamesTheBuildAndTheAPIs() async {
        for argv in [["version"], ["--version"]] {
            let result = await Self.run(argv)
            #expect(result.code == ExitCode.ok)
            let lines = result.out.split(separator: "\n")
            #expect(lines.first == "berth \(BerthCLI.version) (commit \(BerthCLI.commit))")
            #expect(result.out.contains("Docker Engine API: up to v1.43"))
            #expect(result.out.contains("Kubernetes APIs"))
        }
    }

    @Test func validateJSONListsTheErrors() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"name": "web", "image": "x:1", "replicas": -1}"#.write(
            to: dir.appendingPathComponent("specs/web.json"), atomically: true, encoding: .utf8)
        let result = await Self.run(["validate", "--json", "--specs", dir.appendingPathComponent("specs").path])
        #expect(result.code == ExitCode.failure)
        #expect(result.out.hasPrefix(#"{"errors":[{"column":"#))
        #expect(result.out.contains(#""path":"$.replicas""#))
        #expect(result.out.contains(#""valid":false"#))
    }

    @Test func theReadmeReferenceIsTheTable() throws {
        let readme = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/BerthCommandsTests/CommandLineTests.swift", with: "README.md"), encoding: .utf8)
        let start = "<!-- reference: generated from CommandTable; CommandLineTests checks it -->\n"
        let end = "\n<!-- end of reference -->"
        guard let from = readme.range(of: start), let to = readme.range(of: end, range: from.upperBound..<readme.endIndex) else {
            Issue.record("README.md has no reference section; put this between the markers:\n\(CommandTable.markdownReference())")
            return
        }
        let text = String(readme[from.upperBound..<to.lowerBound])
        #expect(text == CommandTable.markdownReference(), "README's reference differs from the table; it should read:\n\(CommandTable.markdownReference())")
    }

    @Test func historyOnAStateFolderThatDoesNotExistSaysSo() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = await Self.run(["history", "--state", dir.appendingPathComponent("nope").path])
        #expect(result.code == ExitCode.failure)
        #expect(result.err.contains("nope"))
    }

    /// An empty folder and a fresh state folder: no engine is asked (none is there either),
    /// and the plan says exactly that instead of "everything matches".
    @Test func anEmptyFolderSaysNoTargetWasAsked() async throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let state = dir.appendingPathComponent("state").path
        let result = await Self.run(["plan", "--detailed-exitcode", "--specs", dir.appendingPathComponent("specs").path, "--state", state])
        #expect(result.code == ExitCode.ok, "\(result.err)")
        #expect(result.out == "No changes: there are no specs, and no target was asked (berth has made nothing with this state folder).\n")
        #expect(!FileManager.default.fileExists(atPath: state))
    }
}
