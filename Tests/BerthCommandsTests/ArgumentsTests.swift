@testable import BerthCommands
import BerthModel
import Foundation
import Testing

struct ArgumentsTests {
    static let options: [Arguments.Option] = CommandTable.allOptions

    @Test func optionsMayComeBeforeOrAfterTheCommand() throws {
        let a = try Arguments.parse(["--specs", "s", "plan", "--json", "--parallel=4"], options: Self.options)
        #expect(a.command == "plan")
        #expect(a.values["specs"] == "s" && a.values["parallel"] == "4")
        #expect(a.flags == ["json"])
    }

    @Test func unknownOptionIsNamedWithASuggestion() {
        #expect(throws: BerthError.self) { try Arguments.parse(["plan", "--jsn"], options: Self.options) }
        do { _ = try Arguments.parse(["plan", "--jsn"], options: Self.options) } catch {
            #expect("\(error)" == "unknown option --jsn; did you mean --json?")
        }
    }

    @Test func missingValueAndStrayValueAreRefused() {
        #expect(throws: BerthError.self) { try Arguments.parse(["plan", "--specs"], options: Self.options) }
        #expect(throws: BerthError.self) { try Arguments.parse(["plan", "--json=yes"], options: Self.options) }
    }

    @Test func numbersAreChecked() throws {
        let a = try Arguments.parse(["apply", "--parallel", "0"], options: Self.options)
        #expect(throws: BerthError.self) { try a.int("parallel", default: 8, range: 1...256) }
        #expect(try Arguments.parse(["apply"], options: Self.options).int("parallel", default: 8, range: 1...256) == 8)
    }

    @Test func defaultsFollowDockerAndCompose() throws {
        let a = try Arguments.parse(["plan", "--specs", "/srv/My_Shop/specs"], options: Self.options)
        let s = try Settings(arguments: a, environment: [:])
        #expect(s.owner == "my-shop")
        #expect(s.dockerHost == "unix:///var/run/docker.sock")
        #expect(s.stateDirectory == "state")
        let t = try Settings(arguments: a, environment: ["DOCKER_HOST": "tcp://127.0.0.1:2375"])
        #expect(t.dockerHost == "tcp://127.0.0.1:2375")
    }

    @Test func invalidOwnerIsRefused() throws {
        let a = try Arguments.parse(["plan", "--owner", "../x"], options: Self.options)
        #expect(throws: BerthError.self) { try Settings(arguments: a, environment: [:]) }
    }

    @Test func validateListsEveryErrorAndExitsOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".git"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try #"{"name": "ok", "image": "x:1"}"#.write(to: dir.appendingPathComponent("ok.json"), atomically: true, encoding: .utf8)
        try #"{"name": "Bad", "image": "x:1"}"#.write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        try "not json".write(to: dir.appendingPathComponent(".git/ignored.json"), atomically: true, encoding: .utf8)
        try "not json".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let console = Console.capturing()
        let status = await BerthCLI.run(["validate", "--specs", dir.path], environment: [:], console: console)
        #expect(status == 1)
        let lines = console.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(console.stderr)")
        #expect(lines.first?.hasSuffix(#"bad.json:1:10: $.name: "Bad" is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit"#) == true)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("bad.json"))
        let again = Console.capturing()
        #expect(await BerthCLI.run(["validate", "--specs", dir.path], environment: [:], console: again) == 0)
        #expect(again.stdout == "1 spec in 1 file: valid\n")
    }
}
