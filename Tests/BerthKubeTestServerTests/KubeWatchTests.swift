import BerthJSON
import BerthTestSupport
import Testing

/// Watches: event order, DELETED's last state, bookmarks, 410 after compaction and the
/// relist that follows, and the stream ending when it should.
@Suite struct KubeWatchTests {
    let collection = "/apis/apps/v1/namespaces/default/deployments"

    @Test(.timeLimit(.minutes(5)))
    func eventsArriveInOrderWhileTheWatchIsOpen() async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let client = KubeClient(server)
        let listed = try await client.send("GET", collection).json
        let version = try #require(listed.resourceVersion)
        var events = WatchReader(try await client.watch(collection + "?watch=1&resourceVersion=\(version)&labelSelector=app%3Dweb"))

        _ = try await client.apply(collection + "/other", deploymentBody("other"))
        let created = try await client.apply(collection + "/web", deploymentBody("web")).json
        let added = try #require(try await events.nextChange())
        #expect(added.type == "ADDED")
        #expect(added.object["metadata"]?["name"] == .string("web"), "the selector leaves 'other' out")
        #expect(added.object["kind"] == .string("Deployment"))

        _ = try await client.apply(collection + "/web", deploymentBody("web", replicas: 4))
        let modified = try #require(try await events.nextChange())
        #expect(modified.type == "MODIFIED")
        #expect(modified.object["spec"]?["replicas"] == .number("4"))

        let deletion = try await client.send("DELETE", collection + "/web")
        #expect(deletion.json["status"] == .string("Success"))
        #expect(deletion.json["details"]?["uid"] == created["metadata"]?["uid"])
        let deleted = try #require(try await events.nextChange())
        #expect(deleted.type == "DELETED")
        #expect(deleted.object["spec"]?["replicas"] == .number("4"), "DELETED carries the last state")
        #expect(Int(deleted.object.resourceVersion ?? "") ?? 0 > Int(modified.object.resourceVersion ?? "") ?? 0)
    }

    @Test(.timeLimit(.minutes(5)))
    func aWatchWithoutResourceVersionStartsWithTheExistingObjects() async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let client = KubeClient(server)
        _ = try await client.apply(collection + "/a", deploymentBody("a"))
        _ = try await client.apply(collection + "/b", deploymentBody("b"))
        var events = WatchReader(try await client.watch(collection + "?watch=1&timeoutSeconds=1"))
        var seen: [String] = []
        while let event = try await events.next() {
            seen.append("\(event.type) \(event.object["metadata"]?["name"]?.stringValue ?? "")")
        }
        #expect(seen == ["ADDED a", "ADDED b"], "timeoutSeconds ends the stream")
    }

    @Test(.timeLimit(.minutes(5)))
    func aCompactedResourceVersionAnswersExpiredAndARelistRecovers() async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let client = KubeClient(server)
        let old = try #require(try await client.send("GET", collection).json.resourceVersion)
        _ = try await client.apply(collection + "/web", deploymentBody("web"))
        server.compact()

        let expired = try await client.send("GET", collection + "?watch=1&resourceVersion=\(old)&allowWatchBookmarks=true")
        #expect(expired.status == 200)
        let lines = expired.text.split(separator: "\n")
        #expect(lines.count == 1)
        let error = try JSONParser.parse(String(lines[0])).value
        #expect(error["type"] == .string("ERROR"))
        #expect(error["object"]?["code"] == .number("410"))
        #expect(error["object"]?["reason"] == .string("Expired"))

        let relisted = try await client.send("GET", collection).json
        #expect(relisted["items"]?.arrayValue?.count == 1)
        let fresh = try #require(relisted.resourceVersion)
        var events = WatchReader(try await client.watch(collection + "?watch=1&resourceVersion=\(fresh)"))
        _ = try await client.apply(collection + "/web", deploymentBody("web", replicas: 5))
        let next = try #require(try await events.nextChange())
        #expect(next.type == "MODIFIED")
    }

    @Test(.timeLimit(.minutes(5)))
    func bookmarksCarryOnlyTheResourceVersionAndCloseTheStream() async throws {
        let server = KubeTestServer(bookmarkInterval: .milliseconds(100))
        try server.start()
        defer { server.stop() }
        let client = KubeClient(server)
        let version = try #require(try await client.send("GET", collection).json.resourceVersion)
        var events = WatchReader(try await client.watch(collection + "?watch=1&allowWatchBookmarks=true&resourceVersion=\(version)"))
        let bookmark = try #require(try await events.next())
        #expect(bookmark.type == "BOOKMARK")
        #expect(bookmark.object["metadata"]?.objectValue?.keys.sorted() == ["resourceVersion"])
        server.closeWatches()
        var last = bookmark.type
        while let event = try await events.next() { last = event.type }
        #expect(last == "BOOKMARK")
    }

    @Test(.timeLimit(.minutes(5)))
    func objectsMovingOutOfAndIntoTheSelectorAreDeletedAndAdded() async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let client = KubeClient(server)
        _ = try await client.apply(collection + "/web", deploymentBody("web", labels: ["owner": "berth"]))
        let version = try #require(try await client.send("GET", collection).json.resourceVersion)
        var events = WatchReader(try await client.watch(collection + "?watch=1&labelSelector=owner%3Dberth&resourceVersion=\(version)"))
        // Another manager takes the owner label away, then puts it back.
        try server.mergePatch(as: "intruder", .deployments, namespace: "default", name: "web",
                              patch: .object(["metadata": .object(["labels": .object(["owner": .null])])]))
        try server.mergePatch(as: "intruder", .deployments, namespace: "default", name: "web",
                              patch: .object(["metadata": .object(["labels": .object(["owner": .string("berth")])])]))
        #expect(try await events.nextChange()?.type == "DELETED")
        #expect(try await events.nextChange()?.type == "ADDED")
    }

    @Test(.timeLimit(.minutes(5)))
    func aFieldSelectorWatchesOneObject() async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let client = KubeClient(server)
        _ = try await client.apply(collection + "/a", deploymentBody("a"))
        _ = try await client.apply(collection + "/b", deploymentBody("b"))
        let list = try await client.send("GET", collection + "?fieldSelector=metadata.name%3Db").json
        #expect(list["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["b"])
        #expect(try await client.send("GET", collection + "?fieldSelector=spec.replicas%3D1").status == 400)

        var events = WatchReader(try await client.watch(collection + "?watch=1&fieldSelector=metadata.name%3Db&resourceVersion=\(list.resourceVersion ?? "")"))
        _ = try await client.apply(collection + "/a", deploymentBody("a", replicas: 5))
        _ = try await client.apply(collection + "/b", deploymentBody("b", replicas: 5))
        let event = try #require(try await events.nextChange())
        #expect(event.object["metadata"]?["name"] == .string("b"))
    }

    @Test(.timeLimit(.minutes(5)))
    func aClientLeavingEndsItsWatch() async throws {
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        let stream = try await KubeClient(server).watch(collection + "?watch=1")
        #expect(await eventually { server.openWatchCount == 1 })
        stream.cancel()
        #expect(await eventually { server.openWatchCount == 0 })
    }
}

/// Waits up to `limit` (a hang guard, not a speed target) for `condition`.
func eventually(within limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    await Poll.until(hangGuard: limit) { condition() }
}
