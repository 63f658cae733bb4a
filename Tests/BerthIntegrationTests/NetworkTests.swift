import BerthJSON
import Foundation
import Testing

/// The owner's networks on the real engine: `web` reaches `db` by its spec name; containers
/// made before networks are joined in place; a network berth did not make is never taken.
@Suite(.timeLimit(.minutes(10)))
struct NetworkTests {
    /// busybox httpd serves the image's /www/index.html ("berth demo image …") on `port`.
    static func server(_ p: Project, _ name: String, port: Int, extra: String = "") -> String {
        """
        {"name": "\(name)", "image": "\(TestEngine.demoImage)", "command": ["httpd", "-f", "-p", "\(port)"],
         "docker": {"HostConfig": {"Init": true}}\(extra)}
        """
    }

    /// The networks a container is on, by name, with its aliases there.
    static func attachments(_ p: Project, _ id: String) async throws -> [String: [String]] {
        let networks = try await p.engine.inspect(id)?["NetworkSettings"]?["Networks"]?.objectValue ?? [:]
        return networks.mapValues { ($0["Aliases"]?.arrayValue ?? []).compactMap(\.stringValue) }
    }

    @Test func webReachesDbByNameOnTheOwnersNetwork() async throws {
        try await Project.with { p in
            try p.write("db.json", Self.server(p, "db", port: 8080))
            try p.write("web.json", p.spec("web"))
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")

            let network = try #require(try await p.engine.networks(name: "\(p.owner)-default").first)
            #expect(network.labels["berth.owner"] == p.owner && network.labels["berth.kind"] == "network", "\(network.labels)")
            let found = try await p.containers()
            let web = try #require(found.first { $0.name == "\(p.owner)-web-1" })
            let db = try #require(found.first { $0.name == "\(p.owner)-db-1" })
            #expect(try await Self.attachments(p, db.id)["\(p.owner)-default"]?.contains("db") == true)

            // Through Docker's own DNS, by the spec name alone. (The image's busybox-static
            // wget dies of SIGSEGV on this Debian build, even by address; nc speaks the HTTP.)
            var said = ""
            let reached = try await eventually(120) {
                let run = try await p.engine.exec(web.id, ["sh", "-c", #"printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 5 db 8080"#])
                said = run.output
                return run.code == 0 && run.output.contains("berth demo image")
            }
            #expect(reached, "GET http://db:8080/ from web: \(said)")
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }

    @Test func namedNetworksArePlannedJoinedAndDeletedWhenUnused() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", extra: #", "networks": ["backend"]"#))
            try p.write("db.json", p.spec("db"))
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("+ create docker network backend: used by web"), "\(plan.stdout)")
            #expect(await p.berth("apply").status == 0)
            let backend = try #require(try await p.engine.networks(name: "\(p.owner)-backend").first)
            #expect(backend.labels["berth.name"] == "backend" && backend.labels["berth.kind"] == "network")
            let web = try #require(try await p.containers().first { $0.name == "\(p.owner)-web-1" })
            #expect(try await Self.attachments(p, web.id)["\(p.owner)-backend"]?.contains("web") == true)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)

            // No spec uses it any more: deleted, and the container stays (not replaced).
            try p.write("web.json", p.spec("web"))
            let unused = await p.berth("plan")
            #expect(unused.stdout.contains("- delete docker network backend: no spec uses it"), "\(unused.stdout)")
            #expect(!unused.stdout.contains("container web"), "\(unused.stdout)")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try await p.engine.networks(name: "\(p.owner)-backend").isEmpty)
        }
    }

    @Test func aContainerWithoutTheNetworkIsJoinedInPlace() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            #expect(await p.berth("apply").status == 0)
            let web = try #require(try await p.containers().first)
            let network = try #require(try await p.engine.networks(name: "\(p.owner)-default").first)
            // As a container berth made before it had networks: on the default bridge only.
            let (status, _) = try await p.engine.call("POST", "/networks/\(network.id)/disconnect", body: .object(["Container": .string(web.id), "Force": .bool(true)]))
            #expect(status == 200)
            let (_, bridge) = try await p.engine.call("POST", "/networks/bridge/connect", body: .object(["Container": .string(web.id)]))
            _ = bridge

            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("~ update docker container web #1: not on network \(p.owner)-default"), "\(plan.stdout)")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let after = try #require(try await p.containers().first)
            #expect(after.id == web.id, "joined in place, not replaced")
            #expect(try await Self.attachments(p, web.id)["\(p.owner)-default"]?.contains("web") == true)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }

    @Test func anUnlabelledNetworkOfTheSameNameIsAnErrorNeverTaken() async throws {
        try await Project.with { p in
            let foreign = try await p.engine.createNetwork(name: "\(p.owner)-default")
            defer { Task { await p.engine.removeNetwork(foreign) } }
            try p.write("web.json", p.spec("web"))
            let apply = await p.berth("apply")
            #expect(apply.status != 0)
            let said = apply.stdout + apply.stderr
            #expect(said.contains("network \(p.owner)-default") && said.contains("never takes it over"), "\(said)")
            let network = try #require(try await p.engine.networks(name: "\(p.owner)-default").first)
            #expect(network.id == foreign && network.labels.isEmpty, "left as it was")
            #expect(try await p.containers().isEmpty, "no container made on it")
        }
    }

    @Test func aNativeNetworkModeKeepsTheContainerOffBerthsNetworks() async throws {
        try await Project.with { p in
            try p.write("web.json", """
                {"name": "web", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "networks": ["backend"],
                 "docker": {"HostConfig": {"Init": true, "NetworkMode": "bridge"}}}
                """)
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let web = try #require(try await p.containers().first)
            #expect(Array(try await Self.attachments(p, web.id).keys) == ["bridge"])
            #expect(try await p.engine.networks(label: "berth.owner=\(p.owner)").isEmpty)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }
}
