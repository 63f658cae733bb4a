import BerthJSON
import BerthTestSupport
import Testing

/// Server-side apply as berth relies on it: create/no-op/update, generations, field
/// ownership between managers, and the errors the real server gives.
@Suite struct ServerSideApplyTests {
    let path = "/apis/apps/v1/namespaces/default/deployments/web"

    private func started() throws -> KubeTestServer {
        let server = KubeTestServer()
        try server.start()
        return server
    }

    @Test func applyCreatesThenRepeatsAsANoOpThenBumpsGenerationOnChange() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let created = try await client.apply(path, deploymentBody("web"))
        #expect(created.status == 201)
        #expect(created.json.generation == 1)
        #expect(created.json["status"] == .object([:]))
        #expect(created.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["imagePullPolicy"] == .string("IfNotPresent"))

        let again = try await client.apply(path, deploymentBody("web"))
        #expect(again.status == 200)
        #expect(again.json.resourceVersion == created.json.resourceVersion)
        #expect(again.json["metadata"]?["managedFields"] == created.json["metadata"]?["managedFields"])

        let changed = try await client.apply(path, deploymentBody("web", env: ["LOG_LEVEL": "debug"]))
        #expect(changed.status == 200)
        #expect(changed.json.generation == 2)
        #expect(changed.json.resourceVersion != created.json.resourceVersion)

        let annotated = try await client.apply(path, deploymentBody("web", env: ["LOG_LEVEL": "debug"], annotations: ["note": "x"]))
        #expect(annotated.json.generation == 3, "a Deployment's annotation change bumps its generation")
    }

    @Test func statusWritesMoveOnlyTheResourceVersion() async throws {
        let server = try started()
        defer { server.stop() }
        let created = try await KubeClient(server).apply(path, deploymentBody("web")).json
        let after = try server.setDeploymentStatus(namespace: "default", name: "web",
                                                   status: .object(["observedGeneration": .number("1"), "replicas": .number("2")]),
                                                   revision: 1)
        #expect(after.generation == created.generation)
        #expect(after.resourceVersion != created.resourceVersion)
        #expect(after["status"]?["replicas"] == .number("2"))
        #expect(after["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"] == .string("1"))
        #expect(after.managers == ["berth", "kube-controller-manager"])

        // berth's next apply neither conflicts with the controller nor drops its entry.
        let reapplied = try await KubeClient(server).apply(path, deploymentBody("web", replicas: 3))
        #expect(reapplied.status == 200)
        #expect(reapplied.json.managers == ["berth", "kube-controller-manager"])
        #expect(reapplied.json["status"]?["replicas"] == .number("2"))
    }

    @Test func anotherManagersFieldConflictsUntilForced() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        _ = try await client.apply(path, deploymentBody("web"))
        try server.scale(namespace: "default", name: "web", replicas: 3)

        let refused = try await client.apply(path, deploymentBody("web"))
        #expect(refused.status == 409)
        #expect(refused.json["message"] == .string("Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas"))
        #expect(refused.json["details"]?["causes"]?.arrayValue?.first?["field"] == .string(".spec.replicas"))
        #expect(server.deployment(namespace: "default", name: "web")?["spec"]?["replicas"] == .number("3"))
        #expect(try await client.apply(path, deploymentBody("web"), force: false).status == 409)

        let forced = try await client.apply(path, deploymentBody("web"), force: true)
        #expect(forced.status == 200)
        #expect(forced.json["spec"]?["replicas"] == .number("2"))
        #expect(forced.json.managers == ["berth"], "kubectl's emptied entry disappears")
    }

    @Test func applyingTheSameValueAsAnotherManagerSharesTheFieldWithoutConflict() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        _ = try await client.apply(path, deploymentBody("web"))
        try server.scale(namespace: "default", name: "web", replicas: 2)
        #expect(try await client.apply(path, deploymentBody("web")).status == 200)
    }

    @Test func fieldsAManagerStopsApplyingAreRemoved() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        _ = try await client.apply(path, deploymentBody("web", env: ["A": "1", "B": "2"], labels: ["tier": "web"]))
        let trimmed = try await client.apply(path, deploymentBody("web", env: ["A": "1"])).json
        let env = trimmed["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["env"]?.arrayValue ?? []
        #expect(env.compactMap { $0["name"]?.stringValue } == ["A"])
        #expect(trimmed["metadata"]?["labels"]?["tier"] == nil)
    }

    @Test func applyErrorsAnswerAsTheRealServerDoes() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let noManager = try await client.send("PATCH", path + "?force=true", body: deploymentBody("web"),
                                              contentType: "application/apply-patch+yaml")
        #expect(noManager.status == 422)
        #expect(noManager.json["details"]?["causes"]?.arrayValue?.first?["field"] == .string("fieldManager"))
        let wrongType = try await client.send("PATCH", path + "?fieldManager=berth", body: deploymentBody("web"))
        #expect(wrongType.status == 415)
        var badReplicas = deploymentBody("web")
        badReplicas = badReplicas.merging(.object(["spec": .object(["replicas": .string("two")])]))
        let typed = try await client.apply(path, badReplicas)
        #expect(typed.status == 500)
        #expect(typed.json["message"]?.stringValue?.hasSuffix(".spec.replicas: expected numeric (int or float), got string") == true)
        let mismatch = deploymentBody("web").merging(.object(["spec": .object(["template": .object([
            "metadata": .object(["labels": .object(["app": .string("other")])])])])]))
        let invalid = try await client.apply(path, mismatch)
        #expect(invalid.status == 422)
        #expect(invalid.json["details"]?["causes"]?.arrayValue?.first?["field"] == .string("spec.template.metadata.labels"))
        #expect(server.deployment(namespace: "default", name: "web") == nil, "no failed apply created anything")

        _ = try await client.apply(path, deploymentBody("web"))
        let movedLabels: JSONValue = .object(["app": .string("web"), "extra": .string("x")])
        let moved = deploymentBody("web").merging(.object(["spec": .object([
            "selector": .object(["matchLabels": movedLabels]),
            "template": .object(["metadata": .object(["labels": movedLabels])]),
        ])]))
        let immutable = try await client.apply(path, moved)
        #expect(immutable.status == 422)
        #expect(immutable.json["message"]?.stringValue?.hasSuffix("field is immutable") == true)
        let forcedMerge = try await client.send("PATCH", path + "?fieldManager=x&force=true",
                                                body: .object(["spec": .object(["replicas": .number("1")])]),
                                                contentType: "application/merge-patch+json")
        #expect(forcedMerge.status == 422)
    }

    @Test func aDryRunAnswersLikeTheWriteButChangesNothing() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let created = try await client.apply(path, deploymentBody("web")).json
        let watch = try await client.watch("/apis/apps/v1/namespaces/default/deployments?watch=1&resourceVersion=\(created.resourceVersion ?? "")")
        let preview = try await client.send("PATCH", path + "?fieldManager=berth&dryRun=All", body: deploymentBody("web", replicas: 9),
                                            contentType: "application/apply-patch+yaml")
        #expect(preview.status == 200)
        #expect(preview.json["spec"]?["replicas"] == .number("9"))
        #expect(preview.json.generation == 2)
        let stored = try #require(server.deployment(namespace: "default", name: "web"))
        #expect(stored["spec"]?["replicas"] == .number("2"))
        #expect(stored.resourceVersion == created.resourceVersion)
        let invalid = try await client.send("PATCH", path + "?fieldManager=berth&dryRun=All",
                                            body: deploymentBody("web", replicas: -1), contentType: "application/apply-patch+yaml")
        #expect(invalid.status == 422, "a dry run validates as the write would")
        #expect(try await client.send("DELETE", path + "?dryRun=All").status == 200)
        #expect(server.deployment(namespace: "default", name: "web") != nil)

        _ = try await client.apply(path, deploymentBody("web", replicas: 3))
        var events = WatchReader(watch)
        let first = try #require(try await events.nextChange())
        #expect(first.object["spec"]?["replicas"] == .number("3"), "watches never see a dry run")
    }

    @Test func putWithAStaleResourceVersionIsAConflict() async throws {
        let server = try started()
        defer { server.stop() }
        let client = KubeClient(server)
        let first = try await client.apply(path, deploymentBody("web")).json
        _ = try await client.apply(path, deploymentBody("web", replicas: 3))
        let stale = try await client.send("PUT", path, body: first)
        #expect(stale.status == 409)
        #expect(stale.json["reason"] == .string("Conflict"))
        let current = try await client.send("GET", path).json
        let fresh = try await client.send("PUT", path + "?fieldManager=editor", body: current.merging(.object([
            "metadata": .object(["annotations": .object(["edited": .string("yes")])])])))
        #expect(fresh.status == 200)
        #expect(fresh.json.managers.contains("editor"))
    }
}
