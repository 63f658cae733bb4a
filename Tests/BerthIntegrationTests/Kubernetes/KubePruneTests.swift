import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `"prune": false` on Kubernetes: a removed spec's objects stay, released by a merge patch
/// that removes berth's labels and annotations, and berth never touches them again.
@Suite struct KubePruneTests {
    @Test func aRemovedSpecWithPruneFalseIsReleasedNotDeleted() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        let kept = p.spec("web").replacingOccurrences(of: #""replicas": 2,"#, with: #""replicas": 2, "prune": false,"#)
        try p.write("web.json", kept)
        try p.write("api.json", p.spec("api", ports: []))
        let apply = await p.berth("apply")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let made = try #require(p.server.deployment(namespace: "default", name: "web"))
        #expect(made["metadata"]?["labels"]?["berth.prune"]?.stringValue == "false")

        try p.remove("web.json")
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("! release kubernetes apps/v1 Deployment default/web (spec web) (prune: false)"), "\(plan.stdout)")
        #expect(plan.stdout.contains("! release kubernetes v1 Service default/web (spec web) (prune: false)"), "\(plan.stdout)")
        let released = await p.berth("apply")
        #expect(released.status == 0, "\(released.stdout)\(released.stderr)")

        let deployment = try #require(p.server.deployment(namespace: "default", name: "web"), "the Deployment is kept")
        let labels = deployment["metadata"]?["labels"]?.objectValue ?? [:]
        let annotations = deployment["metadata"]?["annotations"]?.objectValue ?? [:]
        #expect(!labels.keys.contains { $0.hasPrefix("berth.") } && !annotations.keys.contains { $0.hasPrefix("berth.") }, "\(deployment)")
        #expect(p.requests("DELETE", "/web").isEmpty)
        await p.expectConverged()
        #expect(p.requests("DELETE", "/web").isEmpty && p.requests("PATCH", "/deployments/web").count == 2, "an apply, then the release only")
    }
}
