import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `target: kubernetes` through plan and apply, against the test API server over TLS.
@Suite struct KubeApplyTests {
    @Test func applyCreatesTheDeploymentAndServiceWithServerSideApply() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", env: ["MODE": "a", "DB_PASSWORD": "hunter2"]))
        let run = await p.berth("apply")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let deployment = try #require(p.server.deployment(namespace: "default", name: "web"))
        #expect(deployment["metadata"]?["labels"]?["berth.owner"]?.stringValue == p.owner)
        #expect(deployment["metadata"]?["annotations"]?["berth.config-hash"]?.stringValue?.count == 64)
        #expect(deployment["spec"]?["replicas"]?.intValue == 2)
        let service = try #require(p.server.object(.services, namespace: "default", name: "web"))
        #expect(service["spec"]?["ports"]?.arrayValue?.first?["port"]?.intValue == 8080)
        let patches = p.requests("PATCH")
        #expect(patches.count == 2, "\(p.server.requests.map { $0.method + " " + $0.path })")
        #expect(patches.allSatisfy { $0.path.contains("fieldManager=berth") && $0.path.contains("force=true") })
        #expect(patches.allSatisfy { $0.contentType == "application/apply-patch+yaml" })
        #expect(!run.stdout.contains("hunter2") && !run.stderr.contains("hunter2"))
        let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
        #expect(!journal.contains("hunter2"))
    }

    @Test func aSecondApplyChangesNothing() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        #expect(await p.berth("apply").status == 0)
        await p.expectConverged()
    }

    @Test func aChangedSpecAppliesOnlyTheObjectThatChanged() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        #expect(await p.berth("apply").status == 0)
        try p.write("web.json", p.spec("web", env: ["MODE": "b"]))
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("update kubernetes apps/v1 Deployment default/web (spec web): config hash changed"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("Service default/web"))
        let before = p.requests("PATCH").count
        #expect(await p.berth("apply").status == 0)
        let sent = p.requests("PATCH").dropFirst(before)
        #expect(sent.map(\.path).allSatisfy { $0.contains("/deployments/web") } && sent.count == 1, "\(sent.map(\.path))")
        let env = p.server.deployment(namespace: "default", name: "web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["env"]
        #expect(env?.arrayValue?.first?["value"]?.stringValue == "b")
    }

    @Test func anOutOfBandScaleIsNamedInThePlanAndReverted() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        #expect(await p.berth("apply").status == 0)
        _ = try p.server.scale(namespace: "default", name: "web", replicas: 5)
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("drifted out of band: spec.replicas"), "\(plan.stdout)")
        #expect(await p.berth("apply").status == 0)
        #expect(p.server.deployment(namespace: "default", name: "web")?["spec"]?["replicas"]?.intValue == 2)
    }

    @Test func nativeManifestsOfSeveralKindsAreAppliedAsWritten() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        p.server.registerCustomResource(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true)
        try p.write("bundle.json", """
        {"name": "bundle", "target": "kubernetes", "manifests": [
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"level": "debug"}},
          {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds"}, "stringData": {"password": "s3cr3t-value"}},
          {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
           "spec": {"serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "db"}},
                    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}}}},
          {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}}
        ]}
        """)
        let run = await p.berth("apply")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(p.server.object(.configMaps, namespace: "default", name: "settings")?["data"]?["level"]?.stringValue == "debug")
        #expect(p.server.object(.secrets, namespace: "default", name: "creds") != nil)
        #expect(p.server.object(.statefulSets, namespace: "default", name: "db")?["metadata"]?["labels"]?["berth.owner"]?.stringValue == p.owner)
        let widget = try #require(p.server.kind(group: "example.com", version: "v1", plural: "widgets"))
        #expect(p.server.object(widget, namespace: "default", name: "w1")?["spec"]?["size"]?.intValue == 3)
        #expect(p.requests("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w1").count == 1)
        #expect(!run.stdout.contains("s3cr3t-value") && !run.stderr.contains("s3cr3t-value"))
        #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
    }

    @Test func aRemovedSpecIsPrunedAndNothingUnownedIsTouched() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        try p.write("api.json", p.spec("api", ports: []))
        try p.write("db.json", p.spec("db", ports: []))
        #expect(await p.berth("apply").status == 0)
        // Someone else's Deployment with a look-alike name and berth's name label but no owner.
        _ = try p.server.apply(as: "kubectl", .deployments, namespace: "default", object: try JSONParser.parse("""
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api-copy", "labels": {"berth.name": "api"}},
         "spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {"metadata": {"labels": {"app": "x"}},
                  "spec": {"containers": [{"name": "x", "image": "x:1"}]}}}}
        """).value)
        try p.remove("api.json")
        let run = await p.berth("apply")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "api") == nil)
        #expect(p.server.deployment(namespace: "default", name: "web") != nil)
        #expect(p.server.deployment(namespace: "default", name: "api-copy") != nil)
        let deletes = p.requests("DELETE")
        #expect(deletes.count == 1, "\(deletes.map(\.path))")
        #expect(deletes.first?.path.contains("/deployments/api?propagationPolicy=Background") == true)
    }

    @Test func removingEverySpecIsHeldByTheMassDeleteGuard() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        #expect(await p.berth("apply").status == 0)
        try p.remove("web.json")
        let run = await p.berth("apply")
        #expect(run.status == 3)
        #expect(run.stdout.contains("deletion of 1 removed spec held (web; 2 resources)"), "\(run.stdout)")
        #expect(p.requests("DELETE").isEmpty)
        #expect(await p.berth("apply", "--allow-mass-delete").status == 0)
        #expect(p.server.deployment(namespace: "default", name: "web") == nil)
    }

    @Test func aFieldManagerConflictSaysWhoOwnsTheFieldAndOthersStillApply() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        try p.write("api.json", p.spec("api", ports: []))
        p.server.failNext(method: "PATCH", pathContains: "/deployments/web", status: 409, body: #"""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Apply failed with 1 conflict: conflict with \"other\" using apps/v1: .spec.replicas","reason":"Conflict","details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"other\" using apps/v1","field":".spec.replicas"}]},"code":409}
        """#, times: 10)
        let run = await p.berth("apply")
        #expect(run.status == 1)
        #expect(run.stderr.contains(#"conflict with "other" using apps/v1: .spec.replicas"#), "\(run.stderr)")
        #expect(run.stderr.contains("web.json"), "the error names the spec file: \(run.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "api") != nil, "one bad object never stops the others")
    }

    @Test func anInvalidObjectNamesTheFieldAndTheFile() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("bad.json", """
        {"name": "bad", "target": "kubernetes", "manifests": [
          {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad"},
           "spec": {"replicas": -1, "selector": {"matchLabels": {"app": "bad"}},
                    "template": {"metadata": {"labels": {"app": "bad"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}]}
        """)
        try p.write("web.json", p.spec("web", ports: []))
        let run = await p.berth("apply")
        #expect(run.status == 1)
        #expect(run.stderr.contains("spec.replicas"), "\(run.stderr)")
        #expect(run.stderr.contains("422") && run.stderr.contains("bad.json"), "\(run.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "web") != nil)
    }
}

extension KubeApplyTests {
    /// The objects of a namespace made by the same apply wait for it (retried with backoff)
    /// instead of failing because they ran first.
    @Test func aNamespaceAndTheObjectsInItConvergeInOneApply() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("team.json", """
        {"name": "team", "target": "kubernetes", "namespace": "team-b", "manifests": [
          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"k": "v"}}
        ]}
        """)
        let run = await p.berth("apply")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(p.server.object(.configMaps, namespace: "team-b", name: "a") != nil)
        #expect(run.stdout.contains("after 2 attempts") || !run.stderr.contains("retry"), "a retry is said as such")
        #expect(p.server.object(.namespaces, name: "team-b")?["metadata"]?["labels"]?["berth.owner"]?.stringValue == p.owner)
    }
}
