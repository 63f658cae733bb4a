import BerthHTTP
import BerthKube
import BerthTestSupport
import Foundation
import Testing

/// The cheap probe of a cluster that was away (issue 17.10): `/readyz`, as transcript 21
/// recorded it, until it answers ok.
@Suite struct KubeProbeTests {
    @Test func aServerThatAnswersIsNotWaitedFor() async throws {
        let server = KubeTestServer(token: "t")
        try server.start()
        defer { server.stop() }
        let adapter = KubernetesAdapter(client: KubeClient(endpoint: server.endpoint, credentials: "t", token: { "t" }),
                                        defaultNamespace: "default", kindsFile: nil)
        #expect(await adapter.waitUntilReachable() == false)
        #expect(server.healthProbeCount == 1)
    }

    @Test func anUnreadyServerIsProbedUntilItAnswers() async throws {
        let server = KubeTestServer(token: "t")
        try server.start()
        defer { server.stop() }
        server.setReady(false)
        // The server comes back once it has been probed twice, failing.
        let back = Task {
            while server.healthProbeCount < 2 { await Poll.pause(.milliseconds(20)) }
            server.setReady(true)
        }
        let adapter = KubernetesAdapter(client: KubeClient(endpoint: server.endpoint, credentials: "t", token: { "t" }),
                                        defaultNamespace: "default", kindsFile: nil)
        #expect(await adapter.waitUntilReachable() == true)
        try await back.value
        #expect(server.requests.allSatisfy { $0.path == "/readyz" }, "only the health endpoint is asked: \(server.requests.map(\.path))")
    }
}
