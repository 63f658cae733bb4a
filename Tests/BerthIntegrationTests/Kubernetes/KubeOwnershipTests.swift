import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// Objects that are not berth's are never taken over (issue 18.1): an object a spec names
/// that exists without berth's owner label is an error naming who holds it, never patched and
/// never deleted; `"adopt": true` takes it over, shown as `~ adopt`. An object of berth's
/// that lost only its berth.name label gets it back (issue 17.11).
@Suite struct KubeOwnershipTests {
    static let coredns = """
    {"name": "dns", "target": "kubernetes", "manifests": [
      {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"},
       "data": {"Corefile": "berth was here"}}]}
    """

    /// kube-system/coredns as a cluster installer leaves it: no berth label, written by kubectl.
    static func plantCoredns(_ server: KubeTestServer) throws {
        _ = try server.apply(as: "kubectl", .configMaps, namespace: "kube-system", object: try JSONParser.parse("""
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"},
         "data": {"Corefile": ".:53 { forward . /etc/resolv.conf }"}}
        """).value)
    }

    @Test func anUnlabelledObjectASpecNamesIsAnErrorAndNeverPatchedOrDeleted() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try Self.plantCoredns(p.server)
        try p.write("dns.json", Self.coredns)
        try p.write("web.json", p.spec("web", ports: []))
        try p.write("api.json", p.spec("api", ports: []))
        try p.write("db.json", p.spec("db", ports: []))
        let plan = await p.berth("plan")
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("dns.json:2:3") && plan.stderr.contains("v1 ConfigMap kube-system/coredns already exists and is not berth's (no berth.owner label; written by kubectl)"), "\(plan.stderr)")
        #expect(plan.stderr.contains("\"adopt\": true"), "\(plan.stderr)")
        #expect(!plan.stdout.contains("create kubernetes v1 ConfigMap kube-system/coredns"), "\(plan.stdout)")
        let apply = await p.berth("apply")
        #expect(apply.status != 0)
        #expect(p.server.deployment(namespace: "default", name: "web") != nil, "the other specs still apply")
        // Removing the spec later must not delete what was never berth's.
        try p.remove("dns.json")
        #expect(await p.berth("apply").status == 0)
        let coredns = try #require(p.server.object(.configMaps, namespace: "kube-system", name: "coredns"))
        #expect(coredns["data"]?["Corefile"]?.stringValue == ".:53 { forward . /etc/resolv.conf }")
        #expect(coredns["metadata"]?["labels"]?["berth.owner"] == nil)
        #expect(p.requests("PATCH", "/configmaps/coredns").isEmpty && p.requests("DELETE", "/configmaps/coredns").isEmpty)
    }

    @Test func anObjectReplacedBySomeoneElseBeforeThePruneIsNotDeleted() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        for name in ["web", "api", "db"] { try p.write("\(name).json", p.spec(name, ports: [])) }
        #expect(await p.berth("apply").status == 0)
        try p.remove("api.json")
        let server = p.server
        // Between berth's look and its delete, someone replaces api with a Deployment of their own.
        server.beforeNext(method: "DELETE", pathContains: "/deployments/api") {
            try? server.delete(.deployments, namespace: "default", name: "api")
            _ = try? server.apply(as: "kubectl", .deployments, namespace: "default", object: JSONParser.parse("""
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
             "spec": {"selector": {"matchLabels": {"app": "theirs"}}, "template": {"metadata": {"labels": {"app": "theirs"}},
                      "spec": {"containers": [{"name": "x", "image": "x:1"}]}}}}
            """).value)
        }
        let run = await p.berth("apply")
        #expect(run.status != 0)
        #expect(run.stderr.contains("deleting apps/v1 Deployment default/api: it was replaced since berth looked"), "\(run.stdout)\(run.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "api")?["spec"]?["selector"]?["matchLabels"]?["app"]?.stringValue == "theirs")
        #expect(p.requests("DELETE", "/deployments/api").first?.body?["preconditions"]?["uid"] != nil)
    }

    @Test func anObjectMadeBetweenPlanAndCreateIsStillNotTakenOver() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("dns.json", Self.coredns)
        let server = p.server
        // The observation's read finds nothing; the object appears before the create's own look.
        server.beforeNext(method: "GET", pathContains: "/configmaps/coredns") {
            server.beforeNext(method: "GET", pathContains: "/configmaps/coredns") { try? Self.plantCoredns(server) }
        }
        let apply = await p.berth("apply")
        #expect(apply.status != 0)
        #expect(apply.stderr.contains("already exists and is not berth's"), "\(apply.stdout)\(apply.stderr)")
        #expect(p.requests("PATCH", "/configmaps/coredns").isEmpty)
        #expect(p.server.object(.configMaps, namespace: "kube-system", name: "coredns")?["data"]?["Corefile"]?.stringValue
                == ".:53 { forward . /etc/resolv.conf }")
    }

    @Test func anotherOwnersObjectIsNamedWithItsOwner() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        _ = try p.server.apply(as: "berth", .configMaps, namespace: "default", object: try JSONParser.parse("""
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared", "labels": {"berth.owner": "team-b", "berth.name": "s"}},
         "data": {"a": "b"}}
        """).value)
        try p.write("s.json", """
        {"name": "s", "target": "kubernetes", "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"a": "mine"}}]}
        """)
        let plan = await p.berth("plan")
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("v1 ConfigMap default/shared already exists and is not berth's (it belongs to berth owner \"team-b\")"), "\(plan.stderr)")
        // Nor is it shown as this owner's in status.
        let status = await p.berth("status", "--json")
        let entry = try JSONParser.parse(status.stdout).value["entries"]?.arrayValue?.first { $0["name"]?.stringValue == "s" }
        #expect(entry?["runningReplicas"]?.intValue == 0, "\(status.stdout)")
    }

    @Test func adoptTrueTakesTheObjectOverAndSaysSo() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try Self.plantCoredns(p.server)
        try p.write("dns.json", Self.coredns.replacingOccurrences(of: "\"target\": \"kubernetes\",", with: "\"target\": \"kubernetes\", \"adopt\": true,"))
        let plan = await p.berth("plan")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("~ adopt kubernetes v1 ConfigMap kube-system/coredns (spec dns): exists and is not berth's (no berth.owner label; written by kubectl); taken over as the spec says \"adopt\": true"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Plan: 1 to adopt."), "\(plan.stdout)")
        #expect(await p.berth("apply").status == 0)
        let coredns = try #require(p.server.object(.configMaps, namespace: "kube-system", name: "coredns"))
        #expect(coredns["metadata"]?["labels"]?["berth.owner"]?.stringValue == p.owner)
        #expect(coredns["data"]?["Corefile"]?.stringValue == "berth was here")
        await p.expectConverged()
    }

    @Test func anObjectThatLostItsNameLabelGetsItBack() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        #expect(await p.berth("apply").status == 0)
        _ = try p.server.mergePatch(as: "kubectl", .deployments, namespace: "default", name: "web",
                                    patch: try JSONParser.parse(#"{"metadata": {"labels": {"berth.name": null}}}"#).value)
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("~ update kubernetes apps/v1 Deployment default/web (spec web): labels restored"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("create") && !plan.stdout.contains("left alone") && !plan.stdout.contains("berth.replica"), "\(plan.stdout)")
        #expect(await p.berth("apply").status == 0)
        #expect(p.server.deployment(namespace: "default", name: "web")?["metadata"]?["labels"]?["berth.name"]?.stringValue == "web")
        await p.expectConverged()
    }
}
