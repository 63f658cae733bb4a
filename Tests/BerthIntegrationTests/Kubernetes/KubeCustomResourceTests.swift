import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// A CustomResourceDefinition and an object of its kind in one folder converge in one apply:
/// the object's kind is served only once the CRD is established, so its first try meets a
/// 404 from discovery and is retried with backoff instead of failing the apply.
@Suite struct KubeCustomResourceTests {
    static let bundle = """
    {"name": "widgets", "target": "kubernetes", "manifests": [
      {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "widgets.example.com"},
       "spec": {"group": "example.com", "scope": "Namespaced", "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                              "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}},
      {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "blue"}, "spec": {"size": 3}}]}
    """

    @Test func aDefinitionAndItsObjectConvergeInOneApply() async throws {
        let p = try KubeProject(establishDelay: nil)
        defer { p.finish() }
        try p.write("widgets.json", Self.bundle)
        // The definition is established just before berth's second look at the group after
        // writing it: its first try always meets the refusal, and its retry finds the kind.
        let server = p.server, looks = LookCount()
        server.beforeNext(method: "PATCH", pathContains: "/customresourcedefinitions/widgets.example.com") {
            server.beforeNext(method: "GET", pathContains: "/apis/example.com/v1", times: 2) {
                if looks.next() == 2 { server.establishCustomResources() }
            }
        }
        let run = await p.berth("apply")
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let widgets = try #require(p.server.kind(group: "example.com", version: "v1", plural: "widgets"))
        let blue = p.server.object(widgets, namespace: "default", name: "blue")
        #expect(blue?["spec"]?["size"]?.intValue == 3)
        #expect(blue?["metadata"]?["labels"]?["berth.owner"]?.stringValue == p.owner)
        #expect(run.stderr.contains("the API server does not serve kind Widget in example.com/v1"), "\(run.stderr)")
        let plan = await p.berth("plan", "--detailed-exitcode")
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
    }

    @Test func aKindNoDefinitionServesStillFailsWithOneLine() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("gadget.json", """
        {"name": "gadget", "target": "kubernetes", "manifests": [
          {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "red"}}]}
        """)
        let run = await p.berth("apply")
        #expect(run.status == 1)
        #expect(run.stderr.contains("failed [1/1]: create kubernetes example.com/v1 Gadget default/red (spec gadget)"), "\(run.stderr)")
        #expect(run.stderr.contains("the API server does not serve kind Gadget in example.com/v1"), "\(run.stderr)")
    }
}

/// How many times berth looked, counted from the server's threads.
final class LookCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int { lock.withLock { count += 1; return count } }
}
