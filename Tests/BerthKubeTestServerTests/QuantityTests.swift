import BerthJSON
import BerthTestSupport
import Testing

/// Container resource quantities come back in kube-apiserver's canonical form, as
/// `kubectl get -o json` shows them after `cpu: "0.5"` was applied.
@Suite struct QuantityTests {
    static func withResources(_ limits: [String: JSONValue]) -> JSONValue {
        var body = deploymentBody("web")
        var container = body["spec"]!["template"]!["spec"]!["containers"]!.arrayValue![0]
        container = container.merging(.object(["resources": .object(["limits": .object(limits), "requests": .object(limits)])]))
        body = body.merging(.object(["spec": .object(["template": .object(["spec": .object(["containers": .array([container])])])])]))
        return body
    }

    @Test(arguments: [
        ("0.5", "500m"), ("1000m", "1"), ("1500", "1500"), ("1000", "1k"), ("1024Mi", "1Gi"), ("1536Mi", "1536Mi"),
        ("1.5Gi", "1536Mi"), ("0.5Ki", "512"), ("100Mi", "100Mi"), ("2048", "2048"), ("1e3", "1e3"), ("1500e-3", "1500e-3"),
        ("0.0000000001", "1n"), ("+2", "2"), (".25", "250m"), ("128974848", "128974848"), ("129e6", "129e6"), ("1.5e3", "1500"),
    ])
    func quantitiesAreStoredCanonically(_ written: String, _ stored: String) async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        let answer = try await KubeClient(server).apply(path, Self.withResources(["cpu": .string(written)]))
        let resources = answer.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["resources"]
        #expect(resources?["limits"]?["cpu"] == .string(stored))
        #expect(resources?["requests"]?["cpu"] == .string(stored))
    }

    @Test func aNumberIsStoredAsItsCanonicalString() async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        let answer = try await KubeClient(server).apply(path, Self.withResources(["cpu": .number("0.5"), "memory": .number("1073741824")]))
        let limits = answer.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["resources"]?["limits"]
        #expect(limits?["cpu"] == .string("500m"))
        #expect(limits?["memory"] == .string("1073741824"))
    }
}
