import BerthJSON
import BerthTestSupport
import Testing

/// The values behind transcripts 15-21 (the replay compares shapes; these compare what a
/// client reads back): field removal by the owning manager, stringData, typed-patch errors,
/// dry runs, Leases and health endpoints.
@Suite struct RecordedBehaviourTests {
    let path = "/apis/apps/v1/namespaces/default/deployments/web"

    private func started() throws -> KubeTestServer {
        let server = KubeTestServer()
        try server.start()
        return server
    }

    private func env(_ object: JSONValue) -> [String] {
        (object["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["env"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    /// Transcript 19: a field another manager set is kept by an apply that never owned it,
    /// and the apply then writes nothing.
    @Test func anotherManagersFieldSurvivesTheAppliersUnchangedApply() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        // As berth applies it: with its hash annotation.
        let applied = deploymentBody("web", env: ["A": "1"], annotations: ["berth.config-hash": "sha256:8e7d6c5b4a3f2e1d"])
        _ = try await client.apply(path, applied, force: true)
        let patch = try JSONParser.parse(#"{"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "busybox:1", "env": [{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]}]}}}}"#).value
        let patched = try await client.send("PATCH", path + "?fieldManager=kubectl", body: patch, contentType: "application/merge-patch+json")
        #expect(env(patched.json) == ["A", "C"])
        let again = try await client.apply(path, applied, force: true).json
        #expect(env(again) == ["A", "C"])
        #expect(again.resourceVersion == patched.json.resourceVersion, "nothing was written")
    }

    @Test func aDroppedPortGoesWholeAndTheListItEmptiesGoesToo() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        var body = deploymentBody("web")
        body = body.merging(.object(["spec": .object(["template": .object(["spec": .object(["containers": .array([.object([
            "name": .string("web"), "image": .string("busybox:1"),
            "ports": .array([.object(["name": .string("http"), "containerPort": .number("8080")])]),
        ])])])])])]))
        _ = try await client.apply(path, body, force: true)
        let trimmed = try await client.apply(path, deploymentBody("web"), force: true).json
        #expect(trimmed["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["ports"] == nil, "\(trimmed)")
    }

    /// Transcript 17: stringData is kept only as base64 data; a hand change in data is put
    /// back by the next apply of the same stringData.
    @Test func stringDataBecomesDataAndAnApplyRevertsAHandChange() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let secretPath = "/api/v1/namespaces/default/secrets/web-secret"
        let secret = try JSONParser.parse(#"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "web-secret"}, "type": "Opaque", "stringData": {"password": "one"}}"#).value
        let created = try await client.apply(secretPath, secret, force: true).json
        #expect(created["data"]?["password"]?.stringValue == "b25l")
        #expect(created["stringData"] == nil)
        let fields = created["metadata"]?["managedFields"]?.arrayValue?.first?["fieldsV1"]
        #expect(fields?["f:stringData"]?["f:password"] != nil, "the applier owns stringData.password, not data")
        _ = try await client.send("PATCH", secretPath + "?fieldManager=kubectl-patch",
                                  body: try JSONParser.parse(#"{"data": {"password": "dHdv"}}"#).value, contentType: "application/merge-patch+json")
        let reverted = try await client.apply(secretPath, secret, force: true).json
        #expect(reverted["data"]?["password"]?.stringValue == "b25l")
    }

    /// Transcripts 15 and 16: type errors and unknown fields in an apply are 500s, dry run or
    /// not, Strict or not; as a create they are 400s.
    @Test func typeErrorsAreTypedPatchFailuresInAnApplyAndDecodingErrorsInACreate() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let unknown = deploymentBody("web").merging(.object(["spec": .object(["replicaz": .number("2")])]))
        for query in ["", "&fieldValidation=Strict", "&dryRun=All"] {
            let answer = try await client.send("PATCH", path + "?fieldManager=berth&force=true" + query, body: unknown,
                                               contentType: "application/apply-patch+yaml")
            #expect(answer.status == 500)
            #expect(answer.json["message"]?.stringValue == "failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema")
        }
        let strict = try await client.send("POST", "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict", body: unknown)
        #expect(strict.status == 400)
        #expect(strict.json["message"]?.stringValue == "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replicaz\"")
        #expect(server.deployment(namespace: "default", name: "web") == nil)
    }

    /// Transcript 20: a Lease is created once; a stale resourceVersion is a Conflict.
    @Test func leasesConflictAsRecorded() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
        let lease = try JSONParser.parse(#"{"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"}, "spec": {"holderIdentity": "a", "leaseDurationSeconds": 15, "renewTime": "2026-12-04T10:39:06.636773Z"}}"#).value
        let created = try await client.send("POST", leases, body: lease)
        #expect(created.status == 201)
        #expect(created.json["spec"]?["renewTime"]?.stringValue == "2026-12-04T10:39:06.636773Z")
        #expect(try await client.send("POST", leases, body: lease).json["reason"]?.stringValue == "AlreadyExists")
        let renewal = created.json.merging(.object(["spec": .object(["renewTime": .string("2026-12-04T10:39:11.000001Z")])]))
        let renewed = try await client.send("PUT", leases + "/l", body: renewal)
        #expect(renewed.status == 200)
        let stale = try await client.send("PUT", leases + "/l", body: created.json)
        #expect(stale.status == 409 && stale.json["reason"]?.stringValue == "Conflict")
    }

    /// Transcript 21: plain-text health, readable without credentials; failing on demand.
    @Test func healthEndpointsAnswerInPlainText() async throws {
        let server = try started()
        defer { server.stop() }
        let anonymous = KubeClient(server, token: nil)
        let ready = try await anonymous.send("GET", "/readyz")
        #expect(ready.status == 200 && ready.text == "ok" && ready.contentType == "text/plain; charset=utf-8")
        server.setReady(false)
        let failing = try await anonymous.send("GET", "/readyz")
        #expect(failing.status == 500 && failing.text.hasSuffix("readyz check failed\n"))
        #expect(try await anonymous.send("GET", "/livez").text == "ok")
    }
}
