import BerthJSON
import Foundation
import Testing
import BerthTestSupport

/// `import compose`, `logs` and `ps` against the real engine: a Compose file becomes specs
/// that `apply` converges, and the containers are seen and read as a person would.
@Suite(.timeLimit(.minutes(10)))
struct ComposeAppTests {
    static let compose = """
    x-base: &base
      image: ${IMAGE}
      init: true
      restart: "no"
    services:
      web:
        <<: *base
        command: ["sh", "-c", "echo ready $$GREETING; echo oops >&2; sleep 3600"]
        environment:
          GREETING: ${GREETING:-hi}
        deploy:
          replicas: 2
      checked:
        <<: *base
        command: sleep 3600
        healthcheck:
          test: ["CMD", "true"]
    """

    @Test func importedComposeFileConvergesAndIsListedAndRead() async throws {
        try await Project.with { p in
            let file = p.root.appendingPathComponent("docker-compose.yml").path
            try Self.compose.write(toFile: file, atomically: true, encoding: .utf8)
            try "IMAGE=\(TestEngine.demoImage)\nGREETING=from-dotenv\n".write(
                toFile: p.root.appendingPathComponent(".env").path, atomically: true, encoding: .utf8)

            let imported = await p.berth("import", "compose", file)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains("wrote \(p.specs)/web.json"))
            #expect(!imported.stderr.contains("services.checked.healthcheck"), "\(imported.stderr)")
            #expect(await p.berth("validate").status == 0)
            // A second import does not overwrite without --force.
            let again = await p.berth("import", "compose", file)
            #expect(again.status == 1)
            #expect(again.stderr.contains("web.json exists; add --force to replace it"))

            // The engine's own health check, through the native fragment, for ps to show.
            try p.write("probe.json", """
            {"name": "probe", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"],
             "docker": {"HostConfig": {"Init": true}, "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000}}}
            """)
            let applied = await p.berth("apply")
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(try await p.containers().filter { $0.state == "running" }.count == 4)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)

            // logs: both replicas' lines, prefixed, stdout and stderr apart.
            var logs = await p.berth("logs", "web")
            let both = try await Poll.until(hangGuard: .seconds(240)) {
                logs = await p.berth("logs", "web")
                return logs.stdout.contains("web-1 | ready from-dotenv") && logs.stdout.contains("web-2 | ready from-dotenv")
            }
            #expect(both, "\(logs.stdout) \(logs.stderr)")
            #expect(logs.stderr.contains("web-1 | oops") && logs.stderr.contains("web-2 | oops"))
            let one = await p.berth("logs", "web", "--replica", "2", "--tail", "5")
            #expect(one.stdout == "web-2 | ready from-dotenv\n")

            let unknown = await p.berth("logs", "wbe")
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("did you mean web?"), "\(unknown.stderr)")

            // ps: one line per container; the health check the engine runs is shown once healthy.
            var rows: [JSONValue] = []
            let healthy = try await Poll.until(hangGuard: .seconds(240)) {
                let ps = await p.berth("ps", "--json")
                rows = JSONValue(answer: Array(ps.stdout.utf8))?.arrayValue ?? []
                return rows.contains { $0["name"] == .string("probe") && $0["health"] == .string("healthy") }
            }
            #expect(healthy, "\(rows)")
            // The healthcheck became berth's `health`: the engine runs it (starting until its first 30 s pass).
            #expect(rows.first { $0["name"] == .string("checked") }?["health"] != .null, "\(rows)")
            #expect(rows.filter { $0["name"] == .string("web") }.map { $0["instance"]?.stringValue ?? "" }.sorted()
                    == ["\(p.owner)-web-1", "\(p.owner)-web-2"])
            #expect(rows.allSatisfy { $0["state"] == .string("running") && $0["target"] == .string("docker") })
            let text = await p.berth("ps")
            #expect(text.stdout.split(separator: "\n").count == 5)
            #expect(text.stdout.contains("\(p.owner)-web-1"))
        }
    }

    @Test func swarmServiceIsListedAndItsLogsPrefixedBySlot() async throws {
        try await Project.with { p in
            try p.write("echo.json", """
            {"name": "echo", "target": "swarm", "image": "\(TestEngine.demoImage)", "replicas": 2,
             "command": ["sh", "-c", "echo hello from swarm; sleep 3600"],
             "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}}
            """)
            let applied = await p.berth("apply")
            try #require(applied.status == 0, "\(applied.stderr)")
            var ps = await p.berth("ps")
            let running = try await Poll.until(hangGuard: .seconds(240)) {
                ps = await p.berth("ps")
                return ps.stdout.contains("running 2/2")
            }
            #expect(running, "\(ps.stdout) \(ps.stderr)")
            var logs = await p.berth("logs", "echo")
            let read = try await Poll.until(hangGuard: .seconds(240)) {
                logs = await p.berth("logs", "echo")
                return logs.stdout.contains("echo-1 | hello from swarm") && logs.stdout.contains("echo-2 | hello from swarm")
            }
            #expect(read, "\(logs.stdout) \(logs.stderr)")
            // The project's clean-up removes containers; the service is removed here (its
            // tasks' containers go with it).
            _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-echo")
        }
    }

    /// `--follow` keeps reading until the stream ends: here, when the container exits.
    @Test func followReadsUntilTheContainerEnds() async throws {
        try await Project.with { p in
            try p.write("once.json", """
            {"name": "once", "image": "\(TestEngine.demoImage)", "restart": "no",
             "command": ["sh", "-c", "echo first; sleep 2; echo second"], "docker": {"HostConfig": {"Init": true}}}
            """)
            let applied = await p.berth("apply")
            try #require(applied.status == 0, "\(applied.stderr)")
            let followed = await p.berth("logs", "-f", "once")
            #expect(followed.status == 0, "\(followed.stderr)")
            #expect(followed.stdout == "once-1 | first\nonce-1 | second\n")
        }
    }
}
