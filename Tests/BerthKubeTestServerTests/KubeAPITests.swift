import BerthJSON
import BerthTestSupport
import Testing

/// The rest of the API surface berth's adapter uses: auth, lists and selectors,
/// namespaces, defaults, discovery, custom resources, and the test hooks.
@Suite struct KubeAPITests {
    private func started(_ server: KubeTestServer = KubeTestServer()) throws -> KubeTestServer {
        try server.start()
        return server
    }

    @Test func credentialsAreCheckedExceptForVersion() async throws {
        let server = try started()
        defer { server.stop() }
        let anonymous = try await KubeClient(server, token: nil).send("GET", "/api/v1/namespaces/default/configmaps")
        #expect(anonymous.status == 403)
        #expect(anonymous.json["message"]?.stringValue?.contains("system:anonymous") == true)
        #expect(try await KubeClient(server, token: "wrong").send("GET", "/api/v1/namespaces").status == 401)
        #expect(try await KubeClient(server, token: nil).send("GET", "/version").status == 200)
        #expect(try await KubeClient(server).send("GET", "/api/v1/namespaces").status == 200)

        let open = try started(KubeTestServer(requireToken: false))
        defer { open.stop() }
        #expect(try await KubeClient(open, token: nil).send("GET", "/api/v1/namespaces").status == 200)
    }

    @Test(arguments: [
        ("app=web", ["web"]), ("app==web", ["web"]), ("app!=web", ["api", "plain"]), ("app in (web,api)", ["api", "web"]),
        ("app notin (web)", ["api", "plain"]), ("app", ["api", "web"]), ("!app", ["plain"]), ("app,tier=front", ["web"]),
    ])
    func labelSelectorsFilterLists(selector: String, names: [String]) async throws {
        let server = try started()
        defer { server.stop() }
        for (name, labels) in [("web", ["app": "web", "tier": "front"]), ("api", ["app": "api"]), ("plain", [:])] {
            let body: JSONValue = .object(["metadata": .object(["name": .string(name), "labels": .object(labels.mapValues { .string($0) })])])
            try server.apply(as: "seed", .configMaps, namespace: "default", object: body)
        }
        let encoded = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
        let list = try await KubeClient(server).send("GET", "/api/v1/configmaps?labelSelector=\(encoded)").json
        let found = (list["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }.filter { $0 != "kube-root-ca.crt" }
        #expect(found == names, "selector \(selector)")
    }

    @Test func anUnparsableSelectorIsABadRequest() async throws {
        let server = try started()
        defer { server.stop() }
        let answer = try await KubeClient(server).send("GET", "/api/v1/configmaps?labelSelector=a%3D%3D%3Db")
        #expect(answer.status == 400)
        #expect(answer.json["message"] == .string("unable to parse requirement: found '=', expected: identifier"))
    }

    @Test func writesIntoAMissingNamespaceAreRefusedUnlessSwitchedOff() async throws {
        let server = try started()
        defer { server.stop() }
        let path = "/apis/apps/v1/namespaces/nowhere/deployments/web"
        let refused = try await KubeClient(server).apply(path, deploymentBody("web"))
        #expect(refused.status == 404)
        #expect(refused.json["message"] == .string("namespaces \"nowhere\" not found"))

        let lenient = try started(KubeTestServer(checksNamespaces: false))
        defer { lenient.stop() }
        #expect(try await KubeClient(lenient).apply(path, deploymentBody("web")).status == 201)
    }

    @Test func aDeletedNamespaceTerminatesThenGoes() async throws {
        let server = try started(KubeTestServer(finalizationDelay: .seconds(60)))
        defer { server.stop() }
        let client = KubeClient(server)
        try server.createNamespace("shop")
        _ = try await client.apply("/api/v1/namespaces/shop/configmaps/a", .object(["metadata": .object(["name": .string("a")])]))
        let deleted = try await client.send("DELETE", "/api/v1/namespaces/shop").json
        #expect(deleted["status"]?["phase"] == .string("Terminating"))
        let late = try await client.apply("/api/v1/namespaces/shop/configmaps/b", .object(["metadata": .object(["name": .string("b")])]))
        #expect(late.status == 403)
        #expect(late.json["details"]?["causes"]?.arrayValue?.first?["reason"] == .string("NamespaceTerminating"))
        server.finishPendingDeletions()
        #expect(try await client.send("GET", "/api/v1/namespaces/shop").status == 404)
        #expect(server.objects(.configMaps, namespace: "shop").isEmpty)
    }

    @Test func servicesGetTheServersDefaults() async throws {
        let server = try started()
        defer { server.stop() }
        let service: JSONValue = .object(["metadata": .object(["name": .string("web")]), "spec": .object([
            "selector": .object(["app": .string("web")]), "ports": .array([.object(["port": .number("80")])])])])
        let created = try await KubeClient(server).apply("/api/v1/namespaces/default/services/web", service).json
        let spec = try #require(created["spec"])
        #expect(spec["type"] == .string("ClusterIP"))
        #expect(spec["clusterIP"]?.stringValue?.isEmpty == false)
        #expect(spec["clusterIPs"]?.arrayValue?.first == spec["clusterIP"])
        #expect(spec["ports"]?.arrayValue?.first?["protocol"] == .string("TCP"))
        #expect(spec["ports"]?.arrayValue?.first?["targetPort"] == .number("80"))
    }

    @Test func aRegisteredCustomResourceIsDiscoveredAndServed() async throws {
        let server = try started()
        defer { server.stop() }
        server.registerCustomResource(group: "example.com", version: "v1", kind: "Widget", plural: "widgets", namespaced: true)
        let client = KubeClient(server)
        let groups = try await client.send("GET", "/apis").json
        #expect(groups["groups"]?.arrayValue?.contains { $0["name"] == .string("example.com") } == true)
        let resources = try await client.send("GET", "/apis/example.com/v1").json
        #expect(resources["resources"]?.arrayValue?.first?["kind"] == .string("Widget"))
        let widget: JSONValue = .object(["apiVersion": .string("example.com/v1"), "kind": .string("Widget"),
                                         "metadata": .object(["name": .string("w")]), "spec": .object(["size": .number("3")])])
        #expect(try await client.apply("/apis/example.com/v1/namespaces/default/widgets/w", widget).status == 201)
        let read = try await client.send("GET", "/apis/example.com/v1/namespaces/default/widgets/w").json
        #expect(read["kind"] == .string("Widget"))
        #expect(read.generation == 1)
        let unknown = try await client.send("GET", "/apis/other.io/v1/things")
        #expect(unknown.status == 404)
        #expect(unknown.text == "404 page not found\n")
    }

    @Test func aGroupsDocumentAndANamespaceMismatch() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let apps = try await client.send("GET", "/apis/apps").json
        #expect(apps["kind"] == .string("APIGroup"))
        #expect(apps["preferredVersion"]?["groupVersion"] == .string("apps/v1"))
        var body = deploymentBody("web")
        body = body.merging(.object(["metadata": .object(["namespace": .string("elsewhere")])]))
        let mismatch = try await client.apply("/apis/apps/v1/namespaces/default/deployments/web", body)
        #expect(mismatch.status == 400)
        #expect(mismatch.json["reason"] == .string("BadRequest"))
    }

    @Test func requestsAreLoggedAndFailuresCanBeInjected() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        server.failNext(method: "PATCH", pathContains: "/deployments/web", status: 503,
                        body: #"{"kind":"Status","apiVersion":"v1","status":"Failure","code":503}"#)
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        #expect(try await client.apply(path, deploymentBody("web")).status == 503)
        #expect(try await client.apply(path, deploymentBody("web")).status == 201)
        server.failNext(method: "GET", pathContains: "/deployments/web", reply: .cutOff(.json("{}"), afterBytes: 10))
        await #expect(throws: (any Error).self) { try await client.send("GET", path) }
        #expect(try await client.send("GET", path).status == 200)
        let patches = server.requests.filter { $0.method == "PATCH" }
        #expect(patches.count == 2)
        #expect(patches.last?.contentType == "application/apply-patch+yaml")
        #expect(patches.last?.body?["spec"]?["replicas"] == .number("2"))
        #expect(patches.last?.path == path + "?fieldManager=berth")
    }

    @Test func foregroundDeletionKeepsTheObjectUntilFinalized() async throws {
        let server = try started(KubeTestServer(finalizationDelay: .seconds(60)))
        defer { server.stop() }
        let client = KubeClient(server)
        let path = "/apis/apps/v1/namespaces/default/deployments/web"
        _ = try await client.apply(path, deploymentBody("web"))
        let deleting = try await client.send("DELETE", path, body: .object(["kind": .string("DeleteOptions"), "apiVersion": .string("v1"),
                                                                             "propagationPolicy": .string("Foreground")]))
        #expect(deleting.status == 200)
        #expect(deleting.json["metadata"]?["finalizers"] == .array([.string("foregroundDeletion")]))
        #expect(deleting.json.generation == 2)
        #expect(try await client.send("GET", path).status == 200)
        server.finishPendingDeletions()
        #expect(try await client.send("GET", path).status == 404)
    }
}
