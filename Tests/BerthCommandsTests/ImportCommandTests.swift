@testable import BerthCommands
import BerthTestSupport
import Foundation
import Testing

/// `berth import compose` on real files: all the spec files or none, never one replaced
/// without --force.
@Suite("import compose command")
struct ImportCommandTests {
    func run(_ argv: [String], environment: [String: String] = [:]) async -> (Int32, String, String) {
        let console = Console.capturing()
        let code = await BerthCLI.run(argv, environment: environment, console: console)
        return (code, console.stdout, console.stderr)
    }

    @Test func writesOneFilePerServiceAndNothingOnError() async throws {
        let dir = try TemporaryDirectory(prefix: "compose")
        defer { dir.remove() }
        let file = dir.path + "/docker-compose.yml"
        try "services:\n  web:\n    image: nginx:${TAG}\n  db:\n    image: postgres:16\n".write(toFile: file, atomically: true, encoding: .utf8)
        try "TAG=1.27\n".write(toFile: dir.path + "/.env", atomically: true, encoding: .utf8)
        let out = dir.path + "/specs"

        let (code, stdout, stderr) = await run(["import", "compose", file, "--out", out])
        #expect(code == ExitCode.ok, "\(stderr)")
        #expect(stdout == "wrote \(out)/web.json\nwrote \(out)/db.json\n")
        let web = try String(contentsOfFile: out + "/web.json", encoding: .utf8)
        #expect(web.contains(#""image": "nginx:1.27""#))

        // Exists: refused, nothing changes; with --force the environment's TAG wins over .env.
        let (again, _, refused) = await run(["import", "compose", file, "--out", out], environment: ["TAG": "2"])
        #expect(again == ExitCode.failure)
        #expect(refused.contains("\(file):2: services.web: \(out)/web.json exists; add --force to replace it"))
        #expect(try String(contentsOfFile: out + "/web.json", encoding: .utf8) == web)
        let (forced, _, _) = await run(["import", "compose", file, "--out", out, "--force"], environment: ["TAG": "2"])
        #expect(forced == ExitCode.ok)
        #expect(try String(contentsOfFile: out + "/web.json", encoding: .utf8).contains(#""image": "nginx:2""#))

        // A spec of the same name in another file: the folder would be refused, so nothing is written.
        try #"{"name": "db", "image": "postgres:15"}"#.write(toFile: out + "/old-db.json", atomically: true, encoding: .utf8)
        let (twice, _, named) = await run(["import", "compose", file, "--out", out, "--force"], environment: ["TAG": "3"])
        #expect(twice == ExitCode.failure)
        #expect(named.contains("\(file):4: services.db: \(out)/old-db.json:1:1 already defines the spec \"db\"; rename the service or remove that spec"), "\(named)")
        #expect(try String(contentsOfFile: out + "/web.json", encoding: .utf8).contains(#""image": "nginx:2""#))

        // An error anywhere: no file at all.
        try "services:\n  a:\n    image: a:1\n  b:\n    image: \"${MISSING:?set MISSING}\"\n".write(toFile: file, atomically: true, encoding: .utf8)
        let (failed, _, said) = await run(["import", "compose", file, "--out", dir.path + "/fresh"])
        #expect(failed == ExitCode.failure)
        #expect(said.contains("\(file):5: services.b.image: MISSING is required: set MISSING"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/fresh"))
    }
}
