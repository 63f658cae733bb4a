import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `berth status` shows rollouts; `apply --wait` waits for them and fails on a stalled one.
/// The test server has no controllers, so the test writes the status the controller would.
@Suite struct KubeRolloutWaitTests {
    static func status(_ text: String) throws -> JSONValue { try JSONParser.parse(text).value }

    @Test func statusShowsTheRolloutFromTheDeploymentsStatus() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        #expect(await p.berth("apply").status == 0)
        _ = try p.server.setDeploymentStatus(namespace: "default", name: "web", status: try Self.status("""
        {"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":1,"availableReplicas":1,"conditions":[
         {"type":"Available","status":"False","reason":"MinimumReplicasUnavailable"},
         {"type":"Progressing","status":"True","reason":"ReplicaSetUpdated"}]}
        """))
        let run = await p.berth("status")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("rollout apps/v1 Deployment default/web: progressing, 1 of 2 updated replicas are available"), "\(run.stdout)")
        #expect(run.stdout.contains("Progressing=True ReplicaSetUpdated, Available=False MinimumReplicasUnavailable"), "\(run.stdout)")
        let json = await p.berth("status", "--json")
        let report = try JSONParser.parse(json.stdout).value
        let entry = report["entries"]?.arrayValue?.first
        #expect(entry?["rollouts"]?.arrayValue?.first?["phase"]?.stringValue == "progressing")
        #expect(entry?["runningReplicas"]?.intValue == 1)
        #expect(entry?["configHashMatches"]?.boolValue == true)
    }

    @Test func applyWaitReturnsOnceTheRolloutCompletes() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        let server = p.server
        let controller = Task {
            // The controller finishes only after berth has read the unfinished rollout once, however
            // slowly a loaded machine runs berth: then "waiting" must have been said. (A read before
            // the apply is berth looking whether the object is someone else's.)
            let path = "/apis/apps/v1/namespaces/default/deployments/web"
            func rolloutRead() -> Bool {
                let requests = server.requests
                guard let applied = requests.firstIndex(where: { $0.method == "PATCH" && $0.path.hasPrefix(path) }) else { return false }
                return requests[(applied + 1)...].contains { $0.method == "GET" && $0.path.hasPrefix(path) }
            }
            while !rolloutRead() {
                await Poll.pause(.milliseconds(50))
            }
            _ = try server.setDeploymentStatus(namespace: "default", name: "web", status: try Self.status(
                #"{"observedGeneration":1,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}"#))
        }
        let run = await p.berth("apply", "--wait", "--timeout", "60s")
        try await controller.value
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("waiting: apps/v1 Deployment default/web: waiting for the controller to observe generation 1"), "\(run.stdout)")
        #expect(run.stdout.contains("rollout complete: apps/v1 Deployment default/web: 2 of 2 replicas available"))
    }

    @Test func applyWaitFailsWithTheConditionsMessageWhenARolloutStalls() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        let server = p.server
        let controller = Task {
            while server.deployment(namespace: "default", name: "web") == nil { await Poll.pause(.milliseconds(50)) }
            _ = try server.setDeploymentStatus(namespace: "default", name: "web", status: try Self.status("""
            {"observedGeneration":1,"replicas":2,"updatedReplicas":1,"conditions":[{"type":"Progressing","status":"False",
             "reason":"ProgressDeadlineExceeded","message":"ReplicaSet \\"web-5d9c\\" has timed out progressing."}]}
            """))
        }
        let run = await p.berth("apply", "--wait", "--timeout", "60s")
        try await controller.value
        #expect(run.status == 1)
        #expect(run.stderr.contains(#"rollout of apps/v1 Deployment default/web stalled: ReplicaSet "web-5d9c" has timed out progressing."#), "\(run.stderr)")
    }

    /// Issue 17.12: one line per unfinished rollout, the first ten and a count of the rest.
    @Test func applyWaitTimesOutWithWhereTheRolloutsStandOnePerLine() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        for index in 1...12 { try p.write("w\(index).json", p.spec(String(format: "w%02d", index), ports: [])) }
        let run = await p.berth("apply", "--wait", "--timeout", "1s")
        #expect(run.status == 1)
        #expect(run.stderr.contains("""
            timed out after 1.0s waiting for 12 rollouts:
              apps/v1 Deployment default/w01: waiting for the controller to observe generation 1
              apps/v1 Deployment default/w02: waiting for the controller
            """), "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("  apps/v1 Deployment default/w") }.count == 10, "\(run.stderr)")
        #expect(lines.contains("  … and 2 more"), "\(run.stderr)")
    }

    @Test func timeoutWithoutWaitIsAUsageError() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        let run = await p.berth("apply", "--timeout", "1s")
        #expect(run.status == 64)
        #expect(run.stderr == "berth: --timeout only applies with --wait; add --wait or drop --timeout\n", "\(run.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "web") == nil, "nothing is applied")
    }

    @Test func aNewerSpecArrivingWhileWaitingSupersedesTheWait() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web", ports: []))
        let server = p.server
        let editor = Task {
            // berth reading the unfinished rollout means it is waiting: the newer spec arrives then.
            let path = "/apis/apps/v1/namespaces/default/deployments/web"
            while !server.requests.contains(where: { $0.method == "GET" && $0.path.hasPrefix(path) }) {
                await Poll.pause(.milliseconds(50))
            }
            try p.write("web.json", p.spec("web", env: ["MODE": "newer"], ports: []))
            // The controller finishes the newer generation once berth has applied it.
            while server.deployment(namespace: "default", name: "web")?["metadata"]?["generation"]?.intValue != 2 {
                await Poll.pause(.milliseconds(50))
            }
            _ = try server.setDeploymentStatus(namespace: "default", name: "web", status: try Self.status(
                #"{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}"#))
        }
        let run = await p.berth("apply", "--wait", "--timeout", "60s")
        try await editor.value
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("a newer spec arrived while waiting: applying it"), "\(run.stdout)")
        let env = server.deployment(namespace: "default", name: "web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["env"]
        #expect(env?.arrayValue?.first?["value"]?.stringValue == "newer")
    }
}
