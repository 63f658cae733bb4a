@testable import BerthCommands
import BerthEngine
import BerthSystem
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// berth as a systemd service: the unit install-service writes, the shipped contrib/ unit,
/// and the log lines journald and log shippers read.
@Suite(.timeLimit(.minutes(2)))
struct ServiceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func run(_ argv: [String]) async -> (code: Int32, out: String, err: String) {
        let console = Console.capturing()
        let code = await BerthCLI.run(argv, environment: ["PATH": "/nonexistent"], console: console)
        return (code, console.stdout, console.stderr)
    }

    @Test func installServiceWritesTheUnitAndSaysWhatToRun() async throws {
        let dir = try TemporaryDirectory(prefix: "unit")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/etc/specs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.path + "/units", withIntermediateDirectories: true)
        let argv = ["install-service", "--specs", dir.path + "/etc/specs", "--owner", "prod", "--unit-dir", dir.path + "/units", "--no-enable"]
        let first = await Self.run(argv)
        #expect(first.code == 0, "\(first.err)")
        let unitPath = dir.path + "/units/berth.service"
        #expect(first.out.contains("wrote \(unitPath)"))
        #expect(first.out.contains("systemctl daemon-reload && systemctl enable --now berth.service"), "\(first.out)")
        let text = try String(contentsOfFile: unitPath, encoding: .utf8)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let binary = try InstallServiceCommand.runningBinary()
        #expect(binary.hasPrefix("/"))
        #expect(lines.contains("ExecStart=\(binary) watch --specs \(dir.path)/etc/specs --state /var/lib/berth --owner prod"), "\(text)")
        for line in ["Type=notify", "NotifyAccess=main", "WatchdogSec=2min", "ExecReload=/bin/kill -HUP $MAINPID", "StateDirectory=berth",
                     "ProtectSystem=strict", "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                     "WantedBy=multi-user.target"] {
            #expect(lines.contains(line), "\(line) in \(text)")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: unitPath)[.posixPermissions] as? Int == 0o644)

        // The same again: nothing to do. Another owner: refused without --force, then replaced.
        #expect(await Self.run(argv).out.contains("already this unit"))
        var other = argv
        other[4] = "staging"
        let refused = await Self.run(other)
        #expect(refused.code == 1 && refused.err.contains("exists and differs") && refused.err.contains("--force"), "\(refused.err)")
        #expect(try String(contentsOfFile: unitPath, encoding: .utf8) == text)
        #expect(await Self.run(other + ["--force"]).code == 0)
        #expect(try String(contentsOfFile: unitPath, encoding: .utf8).contains("--owner staging"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/units") == ["berth.service"], "no temporary file left")
    }

    @Test func aStateFolderElsewhereIsMadeWritableAndAMissingUnitFolderIsSaid() async throws {
        let dir = try TemporaryDirectory(prefix: "unit")
        defer { dir.remove() }
        let unit = ServiceUnit(binary: "/usr/bin/berth", specs: "/srv/my specs", state: "/srv/state", owner: "web")
        #expect(unit.text.contains("ExecStart=/usr/bin/berth watch --specs \"/srv/my specs\" --state /srv/state --owner web\n"))
        #expect(unit.text.contains("ReadWritePaths=/srv/state\n") && !unit.text.contains("StateDirectory="))
        #expect(unit.text.contains("PrivateTmp=yes"))
        // Specs under /tmp: a private /tmp would hide them.
        #expect(!ServiceUnit(binary: "/b", specs: "/tmp/specs", state: "/var/lib/berth", owner: "o").text.contains("PrivateTmp"))
        let missing = await Self.run(["install-service", "--specs", dir.path, "--unit-dir", dir.path + "/none", "--no-enable"])
        #expect(missing.code == 1 && missing.err.contains("\(dir.path)/none does not exist"), "\(missing.err)")
    }

    /// contrib/berth.service is the unit install-service writes for the usual paths.
    @Test func theShippedUnitIsTheOneInstallServiceWrites() throws {
        let shipped = try String(contentsOf: Self.root.appendingPathComponent("contrib/berth.service"), encoding: .utf8)
        let unit = ServiceUnit(binary: "/usr/local/bin/berth", specs: "/etc/berth/specs", state: ServiceUnit.defaultState, owner: "berth")
        #expect(shipped == unit.text, "contrib/berth.service should read:\n\(unit.text)")
    }

    // MARK: logs

    static let fixedTime = Date(timeIntervalSince1970: 1_796_000_000)

    static func line(_ event: LogEvent, _ format: Logger.Format, journal: Bool) -> String {
        let console = Console.capturing()
        Logger(format: format, console: console, journal: journal, clock: { fixedTime })(event)
        return console.stderr
    }

    @Test func underJournaldTextLinesCarryAPriorityAndNoTimestamp() {
        let failed = LogEvent("create docker/container/web#1 failed: no such image", level: .error)
        #expect(Self.line(failed, .text, journal: true) == "<3>create docker/container/web#1 failed: no such image\n")
        #expect(Self.line("docker/web: 1 action failed; retrying in 2s", .text, journal: true).hasPrefix("<4>docker/web: 1 action"))
        #expect(Self.line("specs changed: reconciling", .text, journal: true) == "<6>specs changed: reconciling\n")
        #expect(Self.line("image: pulling busybox", .text, journal: true).hasPrefix("<7>"))
        // Not the journal: the timestamp, as before.
        #expect(Self.line("specs changed: reconciling", .text, journal: false) == "2026-11-30T00:53:20.000Z specs changed: reconciling\n")
        // One line per event, also in the journal.
        #expect(Self.line(LogEvent("a\nb", level: .warning), .text, journal: true) == "<4>a\\u{a}b\n")
    }

    @Test func jsonRecordsCarryTheirFields() {
        var fields = LogEvent.Fields()
        fields.event = "action"; fields.target = "docker"; fields.kind = "container"; fields.name = "web"; fields.replica = 2
        fields.op = "replace"; fields.reason = "config changed"; fields.attempt = 1; fields.durationMs = 840; fields.revision = "3f2a9c1"
        let action = LogEvent("replace docker container web #2: config changed: ok", fields: fields)
        #expect(Self.line(action, .json, journal: false) == #"{"attempt":1,"duration_ms":840,"event":"action","kind":"container","#
            + #""level":"info","message":"replace docker container web #2: config changed: ok","name":"web","op":"replace","#
            + #""reason":"config changed","replica":2,"revision":"3f2a9c1","target":"docker","time":"2026-11-30T00:53:20.000Z"}"# + "\n")
        // Only the fields that apply; under journald too (JSON has its own level).
        #expect(Self.line("specs changed: reconciling", .json, journal: true)
            == #"{"level":"info","message":"specs changed: reconciling","time":"2026-11-30T00:53:20.000Z"}"# + "\n")
    }

    // MARK: completion and manual

    static func check(_ shell: String, _ script: String) throws -> ChildProcess.Result? {
        guard let binary = ChildProcess.find(shell, path: "/usr/bin:/bin:/usr/local/bin") else { return nil }
        let dir = try TemporaryDirectory(prefix: "completion")
        defer { dir.remove() }
        try script.write(toFile: dir.path + "/script", atomically: true, encoding: .utf8)
        return try ChildProcess(executable: binary, arguments: ["-n", dir.path + "/script"], environment: ["PATH": "/usr/bin:/bin"],
                                timeout: .seconds(60)).runBlocking()
    }

    @Test(arguments: CommandTable.shells)
    func completionScriptsParseAndNameEveryCommandAndOption(shell: String) async throws {
        let result = await Self.run(["completion", shell])
        #expect(result.code == 0)
        for command in CommandTable.commands { #expect(result.out.contains(command.name), "\(command.name)") }
        for option in CommandTable.allOptions { #expect(result.out.contains(option.name), "--\(option.name)") }
        guard let checked = try Self.check(shell, result.out) else {
            print("note: \(shell) is not installed; its completion script was not parsed (apt-get install \(shell) to check it)")
            return
        }
        #expect(checked.succeeded, "\(shell) -n: \(checked.stderrText)")
    }

    @Test func bashCompletesCommandsOptionsAndWords() throws {
        guard let bash = ChildProcess.find("bash", path: "/usr/bin:/bin") else { return }
        let dir = try TemporaryDirectory(prefix: "completion")
        defer { dir.remove() }
        try CompletionScripts.bash().write(toFile: dir.path + "/berth.bash", atomically: true, encoding: .utf8)
        func complete(_ words: [String]) throws -> [String] {
            let quoted = words.map { "'\($0)'" }.joined(separator: " ")
            let script = "source \(dir.path)/berth.bash; COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _berth; printf '%s\\n' \"${COMPREPLY[@]}\""
            return try ChildProcess(executable: bash, arguments: ["-c", script], environment: ["PATH": "/usr/bin:/bin"]).runBlocking()
                .stdoutText.split(separator: "\n").map(String.init)
        }
        #expect(try complete(["berth", "ins"]) == ["install-service"])
        #expect(try complete(["berth", "--specs", "x", "watch", "--log-f"]) == ["--log-format"])
        #expect(try complete(["berth", "watch", "--log-format", ""]) == ["text", "json"])
        #expect(try complete(["berth", "completion", "f"]) == ["fish"])
        #expect(try complete(["berth", "install-service", "--no"]) == ["--no-enable"])
    }

    @Test func theManualRendersAndNamesEveryCommand() async throws {
        let page = await Self.run(["manual"])
        #expect(page.code == 0)
        #expect(page.out.hasPrefix(".TH BERTH 1"))
        let dir = try TemporaryDirectory(prefix: "manual")
        defer { dir.remove() }
        try page.out.write(toFile: dir.path + "/berth.1", atomically: true, encoding: .utf8)
        // man-db, run as root, reads the page as its own user: let it in.
        chmod(dir.path, 0o755)
        chmod(dir.path + "/berth.1", 0o644)
        let path = "/usr/bin:/bin"
        // groff is what man runs to render; man-db itself sandboxes its children, which some
        // containers refuse (empty output), so it is the fallback.
        let rendered: ChildProcess.Result
        if let groff = ChildProcess.find("groff", path: path) {
            rendered = try ChildProcess(executable: groff, arguments: ["-man", "-Tutf8", "-ww", dir.path + "/berth.1"],
                                        environment: ["PATH": path, "LANG": "C.UTF-8"]).runBlocking()
        } else if let man = ChildProcess.find("man", path: path) {
            rendered = try ChildProcess(executable: man, arguments: ["-l", dir.path + "/berth.1"],
                                        environment: ["PATH": path, "MANPAGER": "cat", "MANWIDTH": "100", "LANG": "C.UTF-8"]).runBlocking()
        } else {
            print("note: neither groff nor man is installed; berth.1 was not rendered (apt-get install groff-base)")
            return
        }
        #expect(rendered.succeeded, "\(rendered.stderrText)")
        #expect(rendered.stderrText.isEmpty, "warnings: \(rendered.stderrText)")
        // Rendered text: no roff requests left, every command and global option named.
        let text = rendered.stdoutText.replacingOccurrences(of: "\u{2010}", with: "-").replacingOccurrences(of: "\u{2212}", with: "-")
        let plain = text.replacingOccurrences(of: ".\u{8}", with: "", options: .regularExpression)
        #expect(!plain.contains("\n.TP") && !plain.contains(".SH"))
        for command in CommandTable.commands { #expect(plain.contains("berth \(command.name)"), "\(command.name)") }
        for option in CommandTable.globalOptions { #expect(plain.contains("--\(option.name)"), "--\(option.name)") }
    }
}
