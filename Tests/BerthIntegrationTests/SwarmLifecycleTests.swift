import BerthJSON
import Foundation
import Testing

/// Swarm services changing shape (issue 19): a mode change is a replacement, `removeImage`
/// removes a service's image.
@Suite(.timeLimit(.minutes(10)))
struct SwarmLifecycleTests {
    @Test func aModeChangeReplacesTheService() async throws {
        try await Project.with { p in
            defer { SwarmRolloutTests.removeService(p, "agent") }
            try p.write("agent.json", SwarmTests.swarmSpec("agent", replicas: 1))
            #expect(await p.berth("apply").status == 0)
            let before = try #require(try await SwarmTests.service(p, "agent")?["ID"]?.stringValue)
            try p.write("agent.json", """
                {"name": "agent", "target": "swarm", "mode": "global", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"],
                 "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}}
                """)
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("~ replace swarm service agent: mode replicated -> global"), "\(plan.stdout)")
            let apply = await p.berth("apply", "--wait")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let after = try #require(try await SwarmTests.service(p, "agent"))
            #expect(after["ID"]?.stringValue != before)
            #expect(after["Spec"]?["Mode"]?["Global"] != nil)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }

    @Test func removeImageRemovesAServicesImage() async throws {
        try await Project.with { p in
            let ref = "\(p.owner)/svc-image:1"
            defer { SwarmRolloutTests.removeService(p, "svc"); Task { _ = try? await p.engine.call("DELETE", "/images/\(ref)?force=true") } }
            let (tagged, _) = try await p.engine.call("POST", "/images/\(TestEngine.demoImage)/tag?repo=\(p.owner)/svc-image&tag=1")
            try #require(tagged == 201)
            try p.write("svc.json", """
                {"name": "svc", "target": "swarm", "image": "\(ref)", "command": ["sleep", "3600"], "removeImage": true,
                 "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}}
                """)
            try p.write("keep.json", SwarmTests.swarmSpec("keep", replicas: 1))
            defer { SwarmRolloutTests.removeService(p, "keep") }
            #expect(await p.berth("apply", "--wait").status == 0)
            try p.remove("svc.json")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("removed image \(ref)"), "\(apply.stderr)")
            #expect(try await p.engine.call("GET", "/images/\(ref)/json").0 == 404)
            #expect(try await p.engine.call("GET", "/images/\(TestEngine.demoImage)/json").0 == 200, "the demo image under its own name stays")
        }
    }

    @Test func handMadeKeysAreShownAsUnmanagedAndHistoryFiltersByTarget() async throws {
        try await Project.with { p in
            defer { SwarmRolloutTests.removeService(p, "api") }
            try p.write("api.json", SwarmTests.swarmSpec("api", replicas: 1))
            try p.write("local.json", p.spec("local"))
            #expect(await p.berth("apply").status == 0)
            let service = try #require(try await SwarmTests.service(p, "api"))
            var spec = service["Spec"]!.objectValue!
            spec["Labels"] = service["Spec"]!["Labels"]!.merging(.object(["team": .string("blue")]))
            spec["TaskTemplate"] = service["Spec"]!["TaskTemplate"]!.merging(.object(["Placement": .object(["Constraints": .array([.string("node.role==manager")])])]))
            let (status, answer) = try await p.engine.call("POST", "/services/\(service["ID"]!.stringValue!)/update?version=\(service["Version"]!["Index"]!.intValue!)", body: .object(spec))
            try #require(status == 200, "\(answer?.serialized() ?? "")")
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0, "keys berth does not send are not drift")
            let shown = await p.berth("status")
            #expect(shown.stdout.contains("unmanaged: swarm service api: Labels.team, TaskTemplate.Placement.Constraints"), "\(shown.stdout)")

            let history = await p.berth("history", "--target", "swarm")
            let lines = history.stdout.split(separator: "\n")
            #expect(!lines.isEmpty && lines.allSatisfy { $0.contains("swarm") }, "\(history.stdout)")
            #expect(!history.stdout.contains("docker container local"))
        }
    }
}
