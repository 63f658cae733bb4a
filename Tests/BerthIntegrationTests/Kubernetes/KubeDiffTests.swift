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
                spec.template.spec.containers[web].env[DB_PASSWORD]: removed (a secret value)
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
