import BerthDocker
import BerthEngine
import BerthHTTP
import BerthJSON
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// ssh:// against a real OpenSSH server on loopback whose sessions reach the test engine:
/// berth's own HTTP over `ssh … docker system dial-stdio`, as the docker CLI does it.
@Suite(.enabled(if: SSHTestServerAvailable.withEngine))
struct SSHTransportTests {
    @Test func aDockerClientOverSSHListsCreatesStartsAndHearsEvents() async throws {
        let engine = try TestEngine()
        let server = try SSHTestServer(dockerHost: engine.host)
        defer { server.stop() }
        let client = DockerClient(endpoint: try HTTPEndpoint(parsing: server.url).withDestination(server.destination()))
        let owner = "ssh-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try await createStartAndHear(client: client, engine: engine, owner: owner)
        } catch {
            await engine.cleanUp(owner: owner)
            throw error
        }
        await engine.cleanUp(owner: owner)
    }

    private func createStartAndHear(client: DockerClient, engine: TestEngine, owner: String) async throws {

        #expect(try await client.negotiatedVersion().hasPrefix("1."))
        let listed = try await client.request("GET", "/containers/json?all=1", doing: "listing containers")
        #expect(JSONValue(answer: listed.body)?.arrayValue != nil)

        let events = try await DockerContainerAdapter(client: client).events(owner: owner)
        let body: JSONValue = .object([
            "Image": .string(TestEngine.demoImage), "Cmd": .array(["sleep", "3600"].map { .string($0) }),
            "Labels": .object([Labels.owner: .string(owner), Labels.name: .string("web")]),
            "HostConfig": .object(["Init": .bool(true)]),
        ])
        let created = try await client.request("POST", "/containers/create?name=\(owner)-web", body: body, doing: "creating \(owner)-web")
        let id = try #require(JSONValue(answer: created.body)?["Id"]?.stringValue)
        _ = try await client.request("POST", "/containers/\(id)/start", doing: "starting \(owner)-web")
        let inspected = try await client.request("GET", "/containers/\(id)/json", doing: "inspecting \(owner)-web")
        #expect(JSONValue(answer: inspected.body)?["State"]?["Running"]?.boolValue == true)
        // And the engine itself (over its Unix socket) has it running.
        #expect(try await engine.containers(label: "\(Labels.owner)=\(owner)").map(\.state) == ["running"])

        let heard = try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                for try await event in events where event.name == "web" && event.action == "start" { return event.action }
                return nil
            }
            group.addTask { await HangGuard.timer(.seconds(240)); return nil }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        #expect(heard == "start")
    }

    @Test func requestsShareOneSSHLoginAndAStreamTakesItsOwn() async throws {
        let engine = try TestEngine()
        let server = try SSHTestServer(dockerHost: engine.host)
        defer { server.stop() }
        let http = HTTPClient(endpoint: .ssh(server.destination()))
        for _ in 0..<10 {
            let response = try await http.send(HTTPRequest(method: "GET", path: "/_ping"))
            #expect(response.bodyText == "OK")
        }
        #expect(http.startedSSHChildren == 1)
        #expect(http.runningSSHChildren == 1)
        #expect(server.openSessions() == 1)

        // The event stream holds a child of its own; requests meanwhile use the idle one.
        let stream = try await http.stream(HTTPRequest(method: "GET", path: "/v1.41/events"))
        #expect(stream.status == 200)
        _ = try await http.send(HTTPRequest(method: "GET", path: "/_ping"))
        #expect(http.startedSSHChildren == 2)
        #expect(http.runningSSHChildren == 2)
        stream.cancel()
        #expect(await Poll.until { http.runningSSHChildren == 1 })

        // A child broken while idle (its session ended on the far side) is replaced.
        server.endSessions()
        #expect(await Poll.until { http.runningSSHChildren == 0 })
        let again = try await http.send(HTTPRequest(method: "GET", path: "/_ping"))
        #expect(again.bodyText == "OK")
        #expect(http.startedSSHChildren == 3)
        http.closeIdleConnections()
        #expect(await Poll.until { http.runningSSHChildren == 0 })
    }

    @Test func parallelRequestsEachGetAChildAndTheNextBurstReusesThem() async throws {
        let engine = try TestEngine()
        let server = try SSHTestServer(dockerHost: engine.host)
        defer { server.stop() }
        let http = HTTPClient(endpoint: .ssh(server.destination()))
        func burst() async throws -> [String] {
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await http.send(HTTPRequest(method: "GET", path: "/_ping")).bodyText } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(try await burst() == Array(repeating: "OK", count: 8))
        let afterFirst = http.startedSSHChildren
        #expect((1...8).contains(afterFirst))
        #expect(http.runningSSHChildren == afterFirst)
        // One at a time now: every request finds a kept child.
        for _ in 0..<5 { #expect(try await http.send(HTTPRequest(method: "GET", path: "/_ping")).bodyText == "OK") }
        #expect(http.startedSSHChildren == afterFirst)
        #expect(server.openSessions() == afterFirst)
        http.closeIdleConnections()
        #expect(await Poll.until { http.runningSSHChildren == 0 })
    }

    /// Two targets at once: engine A over its Unix socket, engine B (a second private engine,
    /// `BERTH_ENGINE_INSTANCE=b scripts/engine.sh up`) over ssh. Skipped unless the run names
    /// engine B (BERTH_TEST_DOCKER_HOST_B) or asks for it (BERTH_TEST_ENGINE_INSTANCES=b).
    @Test(.enabled(if: PrivateEngine.isWanted("b")))
    func aSecondEngineOverSSHIsAnotherEngine() async throws {
        let engineA = try TestEngine()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let hostB = try PrivateEngine.host("b", repository: root.path)
        #expect(hostB != engineA.host)
        let server = try SSHTestServer(dockerHost: hostB)
        defer { server.stop() }
        let b = DockerClient(endpoint: .ssh(server.destination()))
        let a = DockerClient(endpoint: try HTTPEndpoint(parsing: engineA.host))
        // Engines on one machine share their ID (/etc/docker/key.json); their data roots differ.
        func dataRoot(_ client: DockerClient) async throws -> String? {
            JSONValue(answer: try await client.request("GET", "/info", doing: "asking for the engine's data root").body)?["DockerRootDir"]?.stringValue
        }
        let rootA = try await dataRoot(a), rootB = try #require(try await dataRoot(b))
        #expect(rootA != nil && rootA != rootB)
        #expect(rootB.hasSuffix("/state/engine-b/data"), "\(rootB)")
        let images = try await b.request("GET", "/images/json", doing: "listing B's images")
        #expect(JSONValue(answer: images.body)?.arrayValue?.contains {
            $0["RepoTags"]?.arrayValue?.contains(.string(TestEngine.demoImage)) == true
        } == true)
    }

    /// One line for each failure, through the DockerClient as berth shows it.
    private func failure(_ endpoint: HTTPEndpoint) async -> String {
        let started = ContinuousClock.now
        do {
            _ = try await DockerClient(endpoint: endpoint).negotiatedVersion()
            return "succeeded"
        } catch {
            // A failure that waits for a timeout instead of ssh's own word would take 60 s.
            #expect(ContinuousClock.now - started < .seconds(30), "\(error)")
            return "\(error)"
        }
    }

    @Test func aWrongHostKeyARefusedKeyAMissingDockerAndADeadEngineEachSayOneLine() async throws {
        let engine = try TestEngine()
        let server = try SSHTestServer(dockerHost: engine.host)
        defer { server.stop() }
        let prefix = "asking the engine for its version at ssh://root@127.0.0.1:\(server.port): "

        let wrongKey = await failure(.ssh(server.destination(knownHostsFile: server.wrongKnownHosts)))
        #expect(wrongKey.hasPrefix(prefix + "the host key of 127.0.0.1 port \(server.port) is not in the known-hosts file or has changed"), "\(wrongKey)")
        #expect(wrongKey.hasSuffix("(ssh: Host key verification failed.)"), "\(wrongKey)")

        let refused = await failure(.ssh(server.destination(identityFile: server.strangerKey)))
        #expect(refused.hasPrefix(prefix + "127.0.0.1 port \(server.port) refused the login as root"), "\(refused)")
        #expect(refused.hasSuffix("Permission denied (publickey).)"), "\(refused)")

        let bare = try SSHTestServer(dockerHost: engine.host, dockerOnPath: false)
        defer { bare.stop() }
        let noDocker = await failure(.ssh(bare.destination()))
        #expect(noDocker.contains("docker is not installed on 127.0.0.1, or not on the PATH of that login"), "\(noDocker)")
        #expect(noDocker.hasSuffix("docker: command not found)"), "\(noDocker)")

        let deadEngine = try SSHTestServer(dockerHost: "unix:///nonexistent/docker.sock")
        defer { deadEngine.stop() }
        let noEngine = await failure(.ssh(deadEngine.destination()))
        #expect(noEngine.contains("the Docker Engine on 127.0.0.1 does not answer"), "\(noEngine)")
        #expect(noEngine.contains("/nonexistent/docker.sock"), "\(noEngine)")

        for line in [wrongKey, refused, noDocker, noEngine] {
            #expect(!line.contains("\n"), "\(line)")
            #expect(!line.contains("PRIVATE KEY"), "\(line)")
        }
    }
}

/// The engine is a Unix socket (sshd's sessions reach it through DOCKER_HOST) and sshd is installed.
enum SSHTestServerAvailable {
    static var withEngine: Bool {
        let host = ProcessInfo.processInfo.environment["BERTH_TEST_DOCKER_HOST"] ?? ""
        return host.hasPrefix("unix://") && FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd")
    }
}

extension HTTPEndpoint {
    /// The parsed ssh:// address with the test's key and known-hosts file (which berth takes
    /// from its settings, never from the URL); checks that the two name the same place.
    func withDestination(_ full: SSHDestination) -> HTTPEndpoint {
        guard case .ssh(var destination) = self else { return self }
        #expect(destination.user == full.user && destination.host == full.host && destination.port == full.port)
        destination.identityFile = full.identityFile
        destination.knownHostsFile = full.knownHostsFile
        return .ssh(destination)
    }
}
