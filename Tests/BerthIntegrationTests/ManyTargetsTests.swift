import BerthCommands
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// Several targets from one berth.json, each a real private engine (engines b and c beside
/// the test engine, started as `scripts/engine.sh` does; one reached over a real sshd): a
/// group fans a spec out over them, and one target going away leaves the others converging.
@Suite(.enabled(if: ManyTargetsAvailable.engines), .timeLimit(.minutes(10)))
struct ManyTargetsTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func writeConfig(_ project: Project, _ json: String) throws -> String {
        let path = project.root.appendingPathComponent("berth.json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A spec whose target is a group of three: one over unix, one on engine b, one on engine
    /// c over ssh. Each engine ends up with its own replicas, named and labelled per target.
    @Test func aSpecFannedOutOverThreeTargetsConvergesOnAll() async throws {
        let main = try TestEngine()
        let b = try TestEngine(host: PrivateEngine.host("b", repository: Self.repository))
        let c = try TestEngine(host: PrivateEngine.host("c", repository: Self.repository))
        let ssh = try SSHTestServer(dockerHost: c.host)
        defer { ssh.stop() }
        let project = try Project(engine: main)
        let config = try Self.writeConfig(project, """
            {"targets": {"here": {"platform": "docker", "host": "\(main.host)"},
                         "there": {"platform": "docker", "host": "\(b.host)"},
                         "far": {"platform": "docker", "host": "\(ssh.url)",
                                 "ssh": {"identityFile": "\(ssh.clientKey)", "knownHostsFile": "\(ssh.knownHosts)"}}},
             "groups": {"all": ["here", "there", "far"]}}
            """)
        try project.write("web.json", project.spec("web", replicas: 2, extra: #", "target": "all""#))
        defer { Task { for engine in [b, c] { await engine.cleanUp(owner: project.owner) } } }
        do {
            let applied = await project.berth("--config", config, "apply")
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            for (engine, target) in [(main, "here"), (b, "there"), (c, "far")] {
                let found = try await engine.containers(label: "berth.owner=\(project.owner)")
                #expect(found.map(\.name) == ["\(project.owner)-\(target)-web-1", "\(project.owner)-\(target)-web-2"], "\(target)")
                #expect(found.allSatisfy { $0.state == "running" }, "\(target)")
                let labelled = try await engine.containers(label: "berth.target=\(target)").filter { $0.name.hasPrefix(project.owner) }
                #expect(labelled.count == 2, "\(target)")
            }
            let again = await project.berth("--config", config, "plan", "--detailed-exitcode")
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
            #expect(again.stdout.contains("No changes: everything matches the specs."), "\(again.stdout)")
            let status = await project.berth("--config", config, "status")
            for target in ["here", "there", "far"] {
                #expect(status.stdout.range(of: "\n\(target) +container +web +2/2 +current", options: .regularExpression) != nil, "\(status.stdout)")
                #expect(status.stdout.contains("target \(target): ok"), "\(status.stdout)")
            }
            #expect(status.stdout.hasPrefix("owner \(project.owner) (observed now); targets: 3 ok\n"), "\(status.stdout)")
        } catch {
            await project.finish()
            throw error
        }
        for engine in [b, c] { await engine.cleanUp(owner: project.owner) }
        await project.finish()
    }

    /// Engine d (the test's own) stops under watch: the other two targets still converge and
    /// are healed, d's specs are left alone and nothing is deleted; once d answers again it
    /// rejoins and is healed too.
    @Test func oneEngineStoppedUnderWatchLeavesTheOthersConvergingThenRejoins() async throws {
        let main = try TestEngine()
        let b = try TestEngine(host: PrivateEngine.host("b", repository: Self.repository))
        let d = try TestEngine(host: PrivateEngine.up("d", repository: Self.repository))
        let project = try Project(engine: main)
        let config = try Self.writeConfig(project, """
            {"targets": {"here": {"platform": "docker", "host": "\(main.host)"},
                         "there": {"platform": "docker", "host": "\(b.host)"},
                         "away": {"platform": "docker", "host": "\(d.host)"}},
             "groups": {"all": ["here", "there", "away"]}}
            """)
        try project.write("web.json", project.spec("web", extra: #", "target": "all""#))
        let watch = try WatchProcess(project, extra: ["--config", config, "--resync", "2s"])
        func running(_ engine: TestEngine) async throws -> Bool {
            try await engine.containers(label: "berth.owner=\(project.owner)").map(\.state) == ["running"]
        }
        do {
            #expect(try await eventually {
                let here = try await running(main), there = try await running(b), away = try await running(d)
                return here && there && away
            }, "\(watch.log)")
            try PrivateEngine.down("d", repository: Self.repository)
            #expect(await eventually { watch.log.contains("target away is unreachable") }, "\(watch.log)")
            // Under the outage: a new spec converges on the others, and a killed container is healed.
            try project.write("api.json", project.spec("api", extra: #", "target": "here""#))
            let killed = try #require(try await main.containers(label: "berth.name=web").first { $0.name.hasPrefix(project.owner) })
            try await main.kill(killed.id)
            #expect(try await eventually {
                let here = try await main.containers(label: "berth.owner=\(project.owner)")
                return here.count == 2 && here.allSatisfy { $0.state == "running" }
            }, "\(watch.log)")
            #expect(try await running(b))
            // d comes back: its container (stopped with its engine) is started again.
            _ = try PrivateEngine.up("d", repository: Self.repository)
            #expect(await eventually { watch.log.contains("target away is reachable again") }, "\(watch.log)")
            #expect(try await eventually { try await running(d) }, "\(watch.log)")
            #expect(watch.count("target away is unreachable") == 1, "said once, not on every pass: \(watch.log)")
        } catch {
            _ = await watch.stop()
            for engine in [b, d] { await engine.cleanUp(owner: project.owner) }
            try? PrivateEngine.down("d", repository: Self.repository)
            await project.finish()
            throw error
        }
        #expect(await watch.stop() == 0)
        let journal = try String(contentsOfFile: project.state + "/journal.jsonl", encoding: .utf8)
        #expect(journal.contains(#""event":"target-down""#) && journal.contains(#""event":"target-up""#))
        #expect(!journal.contains(#""op":"delete""#), "nothing of the away target was deleted")
        for engine in [b, d] { await engine.cleanUp(owner: project.owner) }
        try? PrivateEngine.down("d", repository: Self.repository)
        await project.finish()
    }

    /// Each ssh mistake is one clear line naming the target, never a prompt or a hang.
    @Test func sshMistakesAreOneClearLineEach() async throws {
        let main = try TestEngine()
        let server = try SSHTestServer(dockerHost: main.host)
        defer { server.stop() }
        let bare = try SSHTestServer(dockerHost: main.host, dockerOnPath: false)
        defer { bare.stop() }
        let project = try Project(engine: main)
        let config = try Self.writeConfig(project, """
            {"targets": {"stranger-host": {"platform": "docker", "host": "\(server.url)",
                                           "ssh": {"identityFile": "\(server.clientKey)", "knownHostsFile": "\(server.wrongKnownHosts)"}},
                         "stranger-key": {"platform": "docker", "host": "\(server.url)",
                                          "ssh": {"identityFile": "\(server.strangerKey)", "knownHostsFile": "\(server.knownHosts)"}},
                         "no-docker": {"platform": "docker", "host": "\(bare.url)",
                                       "ssh": {"identityFile": "\(bare.clientKey)", "knownHostsFile": "\(bare.knownHosts)"}}},
             "groups": {"edge": ["stranger-host", "stranger-key", "no-docker"]}}
            """)
        try project.write("web.json", project.spec("web", extra: #", "target": "edge""#))
        let plan = await project.berth("--config", config, "plan")
        #expect(plan.status == 1, "no target answered: \(plan.stdout)\(plan.stderr)")
        let lines = plan.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(plan.stderr)")
        #expect(lines.contains { $0.contains("target stranger-host") && $0.contains("Host key verification failed") }, "\(plan.stderr)")
        #expect(lines.contains { $0.contains("target stranger-key") && $0.contains("Permission denied") }, "\(plan.stderr)")
        #expect(lines.contains { $0.contains("target no-docker") && ($0.contains("command not found") || $0.contains("127")) }, "\(plan.stderr)")
        await project.finish()
    }

    /// A tcp:// target with TLS files of its own in berth.json, against a TLS front that
    /// demands the client certificate (as dockerd --tlsverify does).
    @Test func tlsPerTargetReachesTheEngine() async throws {
        let main = try TestEngine()
        let project = try Project(engine: main)
        let certs = project.root.appendingPathComponent("certs").path
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        let made = try TestCertificates.shared()
        func save(_ bytes: [UInt8], _ name: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: certs + "/" + name)) }
        try save(made.serverCertificatePEM, "server-cert.pem")
        try save(made.serverKeyPEM, "server-key.pem")
        try save(made.caPEM, "ca.pem")
        try save(made.clientCertificatePEM, "cert.pem")
        try save(made.clientKeyPEM, "key.pem")
        let (front, port) = try DockerTLSEngineTests.startFront(in: project.root.path, certs: certs, engine: main.host)
        defer { kill(front.processIdentifier, SIGKILL) }
        // Paths relative to berth.json.
        let config = try Self.writeConfig(project, """
            {"targets": {"secure": {"platform": "docker", "host": "tcp://127.0.0.1:\(port)",
                                    "tls": {"ca": "certs/ca.pem", "cert": "certs/cert.pem", "key": "certs/key.pem"}},
                         "bare": {"platform": "docker", "host": "tcp://127.0.0.1:\(port)", "tls": {"ca": "certs/ca.pem"}}}}
            """)
        try project.write("web.json", project.spec("web", extra: #", "target": "secure""#))
        let applied = await project.berth("--config", config, "apply")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        #expect(try await main.containers(label: "berth.target=secure").map(\.state) == ["running"])
        // Moved to a target whose TLS lacks the client certificate: the front refuses, in one line
        // naming the target; the spec's container on "secure" stays (it may be the only copy),
        // and the exit code says a target was skipped beside one that was observed.
        try project.write("web.json", project.spec("web", extra: #", "target": "bare""#))
        let refused = await project.berth("--config", config, "plan")
        #expect(refused.status == 4, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.hasPrefix("berth: target bare: asking the engine for its version at https://127.0.0.1:\(port): the server requires a client certificate and none was configured"), "\(refused.stderr)")
        #expect(refused.stderr.split(separator: "\n").count == 1, "\(refused.stderr)")
        #expect(refused.stdout.contains("! held delete secure container web #1: spec removed here, held while target(s) bare cannot be observed"), "\(refused.stdout)")
        await project.finish()
    }
}

enum ManyTargetsAvailable {
    /// `make test` starts engines b and c and names them (BERTH_TEST_DOCKER_HOST_B, _C).
    static var engines: Bool {
        PrivateEngine.isWanted("b") && PrivateEngine.isWanted("c") && SSHTestServerAvailable.withEngine
    }
}
