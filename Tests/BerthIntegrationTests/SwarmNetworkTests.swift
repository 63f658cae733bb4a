import BerthJSON
import Foundation
import Testing

/// Swarm services on the owner's attachable overlay. Name resolution across the overlay is
/// not checked: this engine (20.10) answered NXDOMAIN even for a hand-made attachable
/// overlay. The attachment (by network ID, with the spec name as alias), the labels, the
/// in-place join and the overlay's deletion are.
@Suite(.timeLimit(.minutes(10)))
struct SwarmNetworkTests {
    static func attachments(_ service: JSONValue?) -> [JSONValue] { service?["Spec"]?["TaskTemplate"]?["Networks"]?.arrayValue ?? [] }

    @Test func servicesJoinTheOwnersOverlayInPlaceAndItGoesWhenUnused() async throws {
        try await Project.with { p in
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-web") } }
            try p.write("web.json", SwarmTests.swarmSpec("web", replicas: 1))
            try p.write("db.json", SwarmTests.swarmSpec("db", replicas: 1))
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-db") } }
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")

            let overlay = try #require(try await p.engine.networks(name: "\(p.owner)-swarm-default").first)
            #expect(overlay.driver == "overlay")
            #expect(overlay.labels["berth.owner"] == p.owner && overlay.labels["berth.kind"] == "network" && overlay.labels["berth.target"] == "swarm")
            let service = try #require(try await SwarmTests.service(p, "web"))
            let id = try #require(service["ID"]?.stringValue)
            #expect(Self.attachments(service).map { $0["Target"]?.stringValue } == [overlay.id], "by ID, as the engine reads it back")
            #expect(Self.attachments(service).first?["Aliases"] == .array([.string("web")]))
            // No drift loop: what was sent is what the engine holds.
            let again = await p.berth("plan", "--detailed-exitcode")
            #expect(again.status == 0, "\(again.stdout)\(again.stderr)")

            // Taken off by somebody: joined again by an in-place update of the same service.
            var spec = try #require(service["Spec"]?.objectValue)
            var task = try #require(spec["TaskTemplate"]?.objectValue)
            task["Networks"] = nil
            spec["TaskTemplate"] = .object(task)
            let version = try #require(service["Version"]?["Index"]?.intValue)
            let (status, answer) = try await p.engine.call("POST", "/services/\(id)/update?version=\(version)", body: .object(spec))
            try #require(status == 200, "out-of-band update: \(status) \(answer?.serialized() ?? "")")
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("~ update swarm service web: not on network \(p.owner)-swarm-default"), "\(plan.stdout)")
            #expect(await p.berth("apply").status == 0)
            let joined = try #require(try await SwarmTests.service(p, "web"))
            #expect(joined["ID"]?.stringValue == id, "updated in place, same service")
            #expect(Self.attachments(joined).map { $0["Target"]?.stringValue } == [overlay.id])

            // A container on the overlay reaches nothing by name here (see above); the task's
            // attachment is what is checked. Both specs gone: the services and the overlay go.
            try p.remove("web.json")
            try p.remove("db.json")
            let down = await p.berth("apply", "--allow-mass-delete")
            #expect(down.status == 0, "\(down.stdout)\(down.stderr)")
            #expect(down.stdout.contains("delete swarm network default"), "\(down.stdout)")
            // Swarm removes an overlay after answering its delete (berth waits up to 30 s for
            // that; a loaded engine can take longer).
            #expect(try await eventually { try await p.engine.networks(name: "\(p.owner)-swarm-default").isEmpty })
        }
    }

    @Test func aSwarmFragmentThatSetsNetworksWins() async throws {
        try await Project.with { p in
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-web") } }
            try p.write("web.json", """
                {"name": "web", "target": "swarm", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "replicas": 1,
                 "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}, "Networks": []}}}
                """)
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(Self.attachments(try await SwarmTests.service(p, "web")).isEmpty)
            #expect(try await p.engine.networks(label: "berth.owner=\(p.owner)").isEmpty)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }
}
