import BerthJSON
import Foundation
import Testing

/// Swarm services changing shape (issue 19): a mode change is a replacement, `removeImage`
/// removes a service's image.
@Suite(.timeLimit(.minutes(5)))
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
}
