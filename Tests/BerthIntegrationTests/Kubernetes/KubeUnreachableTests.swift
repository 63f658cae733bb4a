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
        #expect(plan.stdout == "No changes for the targets observed. Not planned: the specs of kubernetes, which could not be observed.\n",
                "\(plan.stdout)")
        let json = await p.berth("plan", "--json")
        let report = try JSONParser.parse(json.stdout).value
        #expect(report["unplannedTargets"] == .array([.string("kubernetes")]), "\(json.stdout)")
    }
}
