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
        // The definition is established once berth has journaled a failed try at the Widget
        // (an action-retry record): the refusal and the retry happen on every run, whatever
        // berth's discovery cache and the machine's load do to the order of requests.
        let server = p.server, journal = p.state + "/journal.jsonl"
        let establish = Task {
            while !Task.isCancelled {
                let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
                if text.split(separator: "\n").contains(where: { $0.contains("\"event\":\"action-retry\"") && $0.contains("Widget") }) { break }
                await Poll.pause(.milliseconds(20))
            }
            server.establishCustomResources()
        }
        let run = await p.berth("apply")
        establish.cancel()
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
