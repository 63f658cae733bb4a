import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// A cluster that cannot be reached: one line saying so, and a plan that says it is partial
/// instead of "everything matches the specs".
@Suite struct KubeUnreachableTests {
    @Test func aPlanWithoutTheClusterSaysWhatItLeftOut() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        #expect(await p.berth("apply").status == 0)
        try p.write("web.json", p.spec("web", env: ["MODE": "b"]))
        p.server.stop()
        let plan = await p.berth("plan", "--detailed-exitcode")
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("cannot reach the Kubernetes API at"), "\(plan.stderr)")
        #expect(plan.stdout == "No changes to make now. Not planned: the specs of kubernetes, which could not be observed.\n",
                "\(plan.stdout)")
        let json = await p.berth("plan", "--json")
        let report = try JSONParser.parse(json.stdout).value
        #expect(report["unplannedTargets"] == .array([.string("kubernetes")]), "\(json.stdout)")
    }

    /// A Kubernetes-only folder: status names the cluster, not a Docker Engine it never uses,
    /// and with the cluster down says so, marks what cannot be known, and exits 1.
    @Test func statusNamesTheClusterAndSaysWhenItIsDown() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        try p.write("conf.json", """
            {"name": "conf", "target": "kubernetes", "manifests": [
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "1"}},
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "data": {"k": "2"}}]}
            """)
        #expect(await p.berth("apply").status == 0)
        let up = await p.berth("status")
        #expect(up.status == 0, "\(up.stdout)\(up.stderr)")
        #expect(up.stdout.hasPrefix("owner \(p.owner) (observed now); engine not used\n"), "\(up.stdout)")
        #expect(up.stdout.contains("target kubernetes: ok"))
        let conf = up.stdout.split(separator: "\n").first { $0.contains(" conf ") }
        #expect(conf?.contains("2 objects") == true, "\(up.stdout)")
        // Without a watch, the last action comes from the journal.
        #expect(conf?.contains("create at 20") == true, "\(up.stdout)")
        #expect(!up.stderr.contains("docker.sock"))

        p.server.stop()
        let down = await p.berth("status")
        #expect(down.status == 1)
        #expect(down.stdout.contains("target kubernetes: unreachable since"), "\(down.stdout)")
        let web = down.stdout.split(separator: "\n").first { $0.contains(" web ") }
        #expect(web?.contains("unknown") == true, "\(down.stdout)")
        #expect(web?.contains("?/2") == true, "\(down.stdout)")
    }
}
