import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `berth ps` lists a cluster's objects of this owner, with no Docker Engine to ask.
@Suite struct KubePsTests {
    @Test func psListsTheDeploymentAndServiceWithoutAnEngine() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        let applied = await p.berth("apply")
        try #require(applied.status == 0, "\(applied.stderr)")
        let ps = await p.berth("ps", "--json")
        let rows = JSONValue(answer: Array(ps.stdout.utf8))?.arrayValue ?? []
        let kube = rows.filter { $0["target"] == .string("kubernetes") }
        #expect(kube.map { $0["instance"]?.stringValue ?? "" } == ["Deployment default/web", "Service default/web"], "\(ps.stdout) \(ps.stderr)")
        #expect(kube.first?["state"]?.stringValue?.hasPrefix("ready ") == true)
        #expect(kube.last?["state"] == .string("present"))
        // No engine: said once, and not an error for a Kubernetes-only folder.
        #expect(ps.status == 0)
        #expect(ps.stderr == "berth: no Docker Engine answers at unix:///nonexistent/berth-test/docker.sock; only Kubernetes is listed\n")
    }
}
