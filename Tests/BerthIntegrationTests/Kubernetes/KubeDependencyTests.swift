import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `dependsOn` on a cluster: a Deployment that depends on another is applied only once the
/// other's rollout is complete. The test server has no controllers: the test writes the
/// status the controller would, once berth has applied the dependency and is waiting.
@Suite struct KubeDependencyTests {
    @Test func aDeploymentWaitsForItsDependencysRolloutToComplete() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("api.json", p.spec("api", ports: []))
        let web = p.spec("web", ports: []).replacingOccurrences(of: #""replicas": 2,"#, with: #""replicas": 2, "dependsOn": ["api"],"#)
        try p.write("web.json", web)
        let server = p.server
        let apiPath = "/apis/apps/v1/namespaces/default/deployments/api"
        let webPath = "/apis/apps/v1/namespaces/default/deployments/web"
        let controller = Task { () -> Bool in
            // Once api is applied and berth has read its unfinished rollout, web must not be applied yet.
            func waitingOnAPI() -> Bool {
                let requests = server.requests
                guard let applied = requests.firstIndex(where: { $0.method == "PATCH" && $0.path.hasPrefix(apiPath) }) else { return false }
                return requests[(applied + 1)...].contains { $0.method == "GET" && $0.path.hasPrefix(apiPath) }
            }
            // A hang guard only: berth waits for api's rollout for up to 120 s.
            let deadline = Date().addingTimeInterval(100)
            while !waitingOnAPI() && Date() < deadline { await Poll.pause(.milliseconds(50)) }
            let webEarly = server.requests.contains { $0.method == "PATCH" && $0.path.hasPrefix(webPath) }
            _ = try server.setDeploymentStatus(namespace: "default", name: "api", status: try JSONParser.parse(
                #"{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}"#).value)
            return webEarly
        }
        let run = await p.berth("apply")
        let webEarly = try await controller.value
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(!webEarly, "web was applied before api's rollout completed: \(run.stdout)")
        #expect(run.stdout.contains("after api"), "\(run.stdout)")
        #expect(run.stdout.contains("waiting: "), "\(run.stdout)")
        #expect(server.deployment(namespace: "default", name: "web") != nil)
    }
}
