@testable import BerthCommands
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// The commands' whole output and exit code, as a person or a script reads them: golden text.
/// The engine, where one is needed, answers with what the real engine said when recorded
/// (Tests/BerthDockerTests/Fixtures/engine-answers.json: owner "rec", one container rec-web-1
/// of spec web, replica 1, made with another configuration).
@Suite(.timeLimit(.minutes(5)))  // a hang guard: nothing here waits on more than a local socket
struct CommandGoldenTests {
    struct Folder {
        let directory: TemporaryDirectory
        var specs: String { directory.path + "/specs" }
        var state: String { directory.path + "/state" }

        init(_ files: [String: String]) throws {
            directory = try TemporaryDirectory(prefix: "golden")
            try FileManager.default.createDirectory(atPath: directory.path + "/specs", withIntermediateDirectories: true)
            for (name, text) in files { try text.write(toFile: specs + "/" + name, atomically: false, encoding: .utf8) }
        }

        func berth(_ argv: [String], host: String = "unix:///nonexistent/berth-golden.sock") async -> (code: Int32, out: String, err: String) {
            let console = Console.capturing()
            let code = await BerthCLI.run(["--specs", specs, "--state", state, "--owner", "rec", "--docker-host", host] + argv,
                                          environment: [:], console: console)
            // Paths and times vary per run; the rest is the golden text.
            func stable(_ text: String) -> String {
                text.replacingOccurrences(of: directory.path, with: "DIR")
                    .replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, with: "TIME", options: .regularExpression)
            }
            return (code, stable(console.stdout), stable(console.stderr))
        }
    }

    static let web = #"{"name": "web", "image": "berth-demo/busybox:1", "replicas": 2, "env": {"DB_PASSWORD": "hunter2", "MODE": "a"}}"#

    /// An engine answering the version and the container list from the recording; anything
    /// else berth asks is refused (a plan must ask nothing else).
    static func recordedEngine() throws -> UnixHTTPTestServer {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("BerthDockerTests/Fixtures/engine-answers.json")
        let exchanges = JSONValue(answer: Array(try Data(contentsOf: fixtures)))?["exchanges"]
        let version = exchanges?["version"]?["answer"]?.serialized() ?? "{}"
        let list = exchanges?["list"]?["answer"]?.serialized() ?? "[]"
        let server = try UnixHTTPTestServer { request in
            if request.path.hasSuffix("/version") { return .json(version) }
            if request.method == "GET" && request.path.contains("/containers/json?") { return .json(list) }
            // Recorded before berth had networks: the owner has none on this engine.
            if request.method == "GET" && request.path.contains("/networks?") { return .json("[]") }
            return .json(#"{"message": "not expected in a plan"}"#, status: 500)
        }
        try server.start()
        return server
    }

    @Test func validateListsEachErrorOnItsLineAndCountsThem() async throws {
        let folder = try Folder(["web.json": Self.web, "api.json": #"{"name": "api", "image": "busybox:1", "replicas": "two"}"#])
        defer { folder.directory.remove() }
        let bad = await folder.berth(["validate"])
        #expect(bad.code == 1)
        #expect(bad.out == "")
        #expect(bad.err == """
            DIR/specs/api.json:1:51: $.replicas: expected an integer >= 0, got string
            berth: 1 error in 1 of 2 files

            """)
        try FileManager.default.removeItem(atPath: folder.specs + "/api.json")
        let good = await folder.berth(["validate"])
        #expect(good.code == 0)
        #expect(good.out == "1 spec in 1 file: valid\n")
        #expect(good.err == "")
    }

    @Test func anUnreachableEngineIsOneLineAndExit1() async throws {
        let folder = try Folder(["web.json": Self.web])
        defer { folder.directory.remove() }
        for command in [["plan"], ["apply"]] {
            let result = await folder.berth(command)
            #expect(result.code == 1, "\(command)")
            #expect(result.out == "", "\(command)")
            #expect(result.err == "berth: cannot reach the Docker Engine at unix:///nonexistent/berth-golden.sock: the socket does not exist (is the engine running?)\n", "\(command)")
        }
    }

    @Test func statusOfAnUnreachableEngineSaysSoPerSpecAndExits1() async throws {
        let folder = try Folder(["web.json": Self.web])
        defer { folder.directory.remove() }
        let result = await folder.berth(["status"])
        #expect(result.code == 1)
        #expect(result.out == """
            owner rec (observed now); engine unreachable since TIME
            target docker: unreachable since TIME: cannot reach the Docker Engine at unix:///nonexistent/berth-golden.sock: the socket does not exist (is the engine running?)
            TARGET  KIND       NAME  REPLICAS  CONFIG   LAST ACTION  LAST ERROR
            docker  container  web   ?/2       unknown  -            docker could not be observed

            """)
    }

    @Test func historyWithoutAStateFolderSaysWhereItLooked() async throws {
        let folder = try Folder([:])
        defer { folder.directory.remove() }
        let result = await folder.berth(["history"])
        #expect(result.code == 1)
        #expect(result.err == "berth: no state folder at DIR/state: berth has recorded nothing there; check --state\n")
    }

    /// The recorded engine holds rec-web-1 with another configuration: replica 1 is replaced,
    /// replica 2 created, the secret never shown; --detailed-exitcode says 2, --json the same plan.
    /// A mistake in berth.json stops the command before any engine is asked: one line with
    /// its place, exit 1, and nothing done (the recorded engine refuses anything but reads).
    @Test func anInvalidTargetsFileIsOneLineAndNothingIsDone() async throws {
        let folder = try Folder(["web.json": Self.web])
        defer { folder.directory.remove() }
        try #"{"targets": {"edge": {"platform": "dokcer"}}}"#.write(toFile: folder.directory.path + "/berth.json", atomically: false, encoding: .utf8)
        let engine = try Self.recordedEngine()
        defer { engine.stop() }
        let apply = await folder.berth(["apply"], host: "unix://" + engine.socketPath)
        #expect(apply.code == 1)
        #expect(apply.out == "")
        #expect(apply.err == """
            berth: DIR/berth.json:1:35: $.targets.edge.platform: unknown platform "dokcer" (did you mean "docker"?); expected one of "docker", "kubernetes", "swarm"
            (1 error in the targets file; nothing was done)

            """)
        #expect(!FileManager.default.fileExists(atPath: folder.state), "nothing was written either")
    }

    /// A spec naming a target nobody described: its file is invalid, so the container the
    /// engine holds for that spec is held, not deleted (another spec has the engine asked).
    @Test func anUnknownTargetHoldsWhatItsSpecMade() async throws {
        let folder = try Folder(["web.json": #"{"name": "web", "image": "berth-demo/busybox:1", "target": "dockr"}"#,
                                 "api.json": #"{"name": "api", "image": "berth-demo/busybox:1"}"#])
        defer { folder.directory.remove() }
        let engine = try Self.recordedEngine()
        defer { engine.stop() }
        let plan = await folder.berth(["plan"], host: "unix://" + engine.socketPath)
        #expect(plan.code == 1)
        #expect(plan.err.hasPrefix(#"DIR/specs/web.json:1:60: $.target: unknown target "dockr" (did you mean "docker"?)"#), "\(plan.err)")
        #expect(plan.out.contains("! held delete docker container web #1"), "\(plan.out)")
        #expect(!plan.out.contains("- delete"), "\(plan.out)")
    }

    /// Named targets that do not answer: status counts them, says each once with its address
    /// (the target's name not repeated), marks their specs unknown, and exits 1.
    @Test func statusOfNamedTargetsThatAreAway() async throws {
        let folder = try Folder(["web.json": #"{"name": "web", "image": "berth-demo/busybox:1", "target": "edge"}"#])
        defer { folder.directory.remove() }
        try #"{"targets": {"e1": {"platform": "docker", "host": "unix:///nonexistent/e1.sock"}}, "groups": {"edge": ["e1"]}}"#
            .write(toFile: folder.directory.path + "/berth.json", atomically: false, encoding: .utf8)
        let status = await folder.berth(["status"])
        #expect(status.code == 1)
        #expect(status.out == """
            owner rec (observed now); targets: 0 ok, 1 unreachable (e1)
            target e1: unreachable since TIME: cannot reach its engine at unix:///nonexistent/e1.sock: the socket does not exist (is the engine running?)
            TARGET  KIND       NAME  REPLICAS  CONFIG   LAST ACTION  LAST ERROR
            e1      container  web   ?/1       unknown  -            e1 could not be observed

            """)
    }

    @Test func planAgainstTheRecordedEngine() async throws {
        let folder = try Folder(["web.json": Self.web])
        defer { folder.directory.remove() }
        let engine = try Self.recordedEngine()
        defer { engine.stop() }
        let host = "unix://" + engine.socketPath
        let plan = await folder.berth(["plan"], host: host)
        #expect(plan.code == 0, "\(plan.err)")
        #expect(plan.out == """
            ~ replace docker container web #1: configuration changed (config hash new -> 7ff3cc2823b6; earlier configuration not recorded) [start-first]
            + create docker container web #2: missing
                image: "berth-demo/busybox:1"
                env.DB_PASSWORD: (secret)
                env.MODE: "a"
                replicas: 2
            Plan: 1 to create, 1 to replace.

            """)
        #expect(!plan.out.contains("hunter2"))
        let detailed = await folder.berth(["plan", "--detailed-exitcode"], host: host)
        #expect(detailed.code == 2)
        #expect(detailed.out == plan.out)
        let json = await folder.berth(["plan", "--json"], host: host)
        #expect(json.code == 0)
        let actions = JSONValue(answer: Array(json.out.utf8))?["actions"]?.arrayValue ?? []
        #expect(actions.map { "\($0["op"]?.stringValue ?? "") \($0["replica"]?.intValue ?? 0)" } == ["replace 1", "create 2"])
        #expect(!json.out.contains("hunter2"))
    }
}
