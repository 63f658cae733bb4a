import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// Sealed env values on `target: kubernetes`, against the test API server: the Deployment's
/// env holds the value, sealing it again changes nothing, and removing it shows no value.
@Suite struct KubeSealedEnvTests {
    @Test func theDeploymentGetsTheValueAndNothingElseShowsIt() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        #expect(await p.berth("keys", "init").status == 0)
        let value = "hunter2-" + UUID().uuidString
        func spec(sealed: Bool) async -> String {
            guard sealed else { return p.spec("web", env: ["MODE": "a"]) }
            let text = String(await p.berth("seal", value).stdout.dropLast())
            return p.spec("web", env: ["MODE": "a"]).replacingOccurrences(of: #""MODE": "a""#, with: #""MODE": "a", "WELCOME": {"sealed": "\#(text)"}"#)
        }
        try p.write("web.json", await spec(sealed: true))
        let applied = await p.berth("apply")
        #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
        let deployment = try #require(p.server.deployment(namespace: "default", name: "web"))
        let env = deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["env"]?.arrayValue ?? []
        #expect(env.contains(.object(["name": .string("WELCOME"), "value": .string(value)])), "\(env)")
        #expect(deployment["metadata"]?["annotations"]?["berth.sealed-env"]?.stringValue == "WELCOME")

        try p.write("web.json", await spec(sealed: true))
        await p.expectConverged()

        try p.write("web.json", await spec(sealed: false))
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("env[WELCOME]: (secret removed)"), "\(plan.stdout)")
        let removed = await p.berth("apply")
        #expect(removed.status == 0)
        let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
        for (what, text) in [("apply", applied.stdout + applied.stderr), ("plan", plan.stdout + plan.stderr),
                             ("removing apply", removed.stdout + removed.stderr), ("journal", journal)] {
            #expect(!text.contains("hunter2"), "\(what) shows the sealed value")
        }
    }
}
