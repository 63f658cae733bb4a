import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// Resources written as people write them ("0.5" CPU, "1024Mi") are stored by the server in
/// its own form ("500m", "1Gi"): berth sees the same values, not drift, and still reverts a
/// limit changed out of band.
@Suite struct KubeQuantityTests {
    static func spec(cpu: String) -> String {
        """
        {"name": "web", "target": "kubernetes", "image": "nginx:1.25", "replicas": 1,
         "kubernetes": {"spec": {"template": {"spec": {"containers": [{"name": "web",
           "resources": {"limits": {"cpu": \(cpu), "memory": "1024Mi"}, "requests": {"cpu": \(cpu), "memory": "0.5Gi"}}}]}}}}}
        """
    }

    static func limits(_ p: KubeProject) -> JSONValue? {
        p.server.deployment(namespace: "default", name: "web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["resources"]?["limits"]
    }

    @Test(arguments: [#""0.5""#, "0.5"])
    func quantitiesInTheServersFormAreNotDrift(_ cpu: String) async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", Self.spec(cpu: cpu))
        let apply = await p.berth("apply")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        #expect(Self.limits(p)?["cpu"] == .string("500m") && Self.limits(p)?["memory"] == .string("1Gi"))
        await p.expectConverged()
    }

    @Test func aLimitChangedOutOfBandIsNamedAndReverted() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", Self.spec(cpu: #""0.5""#))
        #expect(await p.berth("apply").status == 0)
        let deployment = try #require(p.server.deployment(namespace: "default", name: "web"))
        var containers = try #require(deployment["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
        containers[0] = containers[0].merging(.object(["resources": .object(["limits": .object(["cpu": .string("2")])])]))
        _ = try p.server.mergePatch(as: "kubectl-edit", .deployments, namespace: "default", name: "web", patch: .object([
            "spec": .object(["template": .object(["spec": .object(["containers": .array(containers)])])]),
        ]))
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains(#"spec.template.spec.containers[web].resources.limits.cpu: "2" -> "0.5""#), "\(plan.stdout)")
        #expect(await p.berth("apply").status == 0)
        #expect(Self.limits(p)?["cpu"] == .string("500m"))
        #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
    }
}
