import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// What the plan shows of a change (issue 17.5: removed fields are named as added ones are;
/// 17.6: a Secret applied with stringData and changed by hand in data is drift).
@Suite struct KubeDiffTests {
    @Test func removedEnvAndPortsAreShownAsRemovedAndRemovedByTheApply() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", env: ["MODE": "a", "V": "x", "DB_PASSWORD": "hunter2"]))
        #expect(await p.berth("apply").status == 0)
        try p.write("web.json", p.spec("web", env: ["MODE": "a"], ports: []))
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("""
            ~ update kubernetes apps/v1 Deployment default/web (spec web): config hash changed
                spec.template.spec.containers[web].env[DB_PASSWORD]: (secret removed)
                spec.template.spec.containers[web].env[V]: removed (was {"name":"V","value":"x"})
                spec.template.spec.containers[web].ports: removed (was [{"containerPort":80,"protocol":"TCP"}])
            """), "\(plan.stdout)")
        #expect(!plan.stdout.contains("hunter2"))
        #expect(await p.berth("apply").status == 0)
        let container = p.server.deployment(namespace: "default", name: "web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        #expect(container?["env"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["MODE"])
        #expect(container?["ports"] == nil)
        await p.expectConverged()
    }

    @Test func aSecretValueChangedByHandInDataIsDriftWhenTheSpecUsesStringData() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("creds.json", """
        {"name": "creds", "target": "kubernetes", "manifests": [
          {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "type": "Opaque", "stringData": {"password": "one"}}]}
        """)
        #expect(await p.berth("apply").status == 0)
        #expect(await p.berth("plan", "--detailed-exitcode").status == 0, "applied as written: no drift")
        _ = try p.server.mergePatch(as: "kubectl-patch", .secrets, namespace: "default", name: "creds",
                                    patch: try JSONParser.parse(#"{"data": {"password": "dHdv"}}"#).value)
        let plan = await p.berth("plan", "--detailed-exitcode")
        #expect(plan.status == 2, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("""
            ~ update kubernetes v1 Secret default/creds (spec creds): drifted out of band: stringData.password
                stringData.password: (secret value changed)
            """), "\(plan.stdout)")
        #expect(!plan.stdout.contains("dHdv") && !plan.stdout.contains("\"one\""))
        #expect(await p.berth("apply").status == 0)
        #expect(p.server.object(.secrets, namespace: "default", name: "creds")?["data"]?["password"]?.stringValue == "b25l")
        await p.expectConverged()
    }
}

/// Issue 17.13: applying into a namespace that is being deleted waits for it to go and makes
/// it again, with what belongs in it, in one apply.
@Suite struct KubeTerminatingNamespaceTests {
    @Test func aTerminatingNamespaceIsWaitedForAndMadeAgainWithItsObjects() async throws {
        // The namespace stays Terminating until berth has been seen waiting for it.
        let p = try KubeProject(finalizationDelay: .seconds(3600))
        defer { p.finish() }
        try p.write("team.json", """
        {"name": "team", "target": "kubernetes", "namespace": "team-d", "manifests": [
          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-d"}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "b"}}]}
        """)
        #expect(await p.berth("apply").status == 0)
        let before = try #require(p.server.object(.namespaces, name: "team-d")?["metadata"]?["uid"]?.stringValue)
        // Someone deletes the namespace; the test server keeps it Terminating for a second.
        try p.server.delete(.namespaces, name: "team-d")
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("+ create kubernetes v1 Namespace team-d (spec team): being deleted: made again once it is gone"), "\(plan.stdout)")
        #expect(plan.stdout.contains("+ create kubernetes v1 ConfigMap team-d/settings (spec team): namespace team-d is being deleted: made again once it is gone"), "\(plan.stdout)")
        let server = p.server
        let reads = server.requests.filter { $0.method == "GET" && $0.path == "/api/v1/namespaces/team-d" }.count
        let controller = Task {
            // The namespace controller finishes once berth has read the terminating namespace twice.
            while server.requests.filter({ $0.method == "GET" && $0.path == "/api/v1/namespaces/team-d" }).count < reads + 2 {
                await Poll.pause(.milliseconds(50))
            }
            server.finishPendingDeletions()
        }
        let run = await p.berth("apply")
        try await controller.value
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let namespace = try #require(p.server.object(.namespaces, name: "team-d"))
        #expect(namespace["metadata"]?["uid"]?.stringValue != before)
        #expect(namespace["status"]?["phase"]?.stringValue == "Active")
        #expect(p.server.object(.configMaps, namespace: "team-d", name: "settings")?["data"]?["a"]?.stringValue == "b")
        let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
        #expect(journal.contains("v1 Namespace team-d was being deleted: waited for it to be gone before making it again"), "\(journal)")
        await p.expectConverged()
    }
}
