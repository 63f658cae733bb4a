import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// Lists in pages (`limit` and `continue`), as kube-apiserver v1.28 serves them: a snapshot
/// at the first page's resourceVersion, opaque tokens, 410 once that version is compacted.
@Suite struct KubeListPagingTests {
    private let path = "/apis/apps/v1/deployments"

    /// A started server with Deployments d1…d5 in `default`.
    private func seeded(_ names: [String] = ["d1", "d2", "d3", "d4", "d5"]) throws -> KubeTestServer {
        let server = KubeTestServer()
        try server.start()
        for name in names {
            try server.apply(as: "seed", .deployments, namespace: "default", object: deploymentBody(name, labels: ["tier": "web"]))
        }
        return server
    }

    private func names(_ list: JSONValue) -> [String] {
        (list["items"]?.arrayValue ?? []).compactMap { $0["metadata"]?["name"]?.stringValue }
    }

    /// What a token says once its URL-safe, unpadded base64 is undone.
    private func decoded(_ token: String) throws -> JSONValue {
        var text = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        let data = try #require(Data(base64Encoded: text), "token \(token)")
        return try JSONParser.parse(data).value
    }

    @Test func fiveObjectsComeInThreePagesOfTheFirstPagesVersion() async throws {
        let server = try seeded()
        defer { server.stop() }
        let client = KubeClient(server)
        let version = server.resourceVersion
        let first = try await client.send("GET", path + "?limit=2").json
        #expect(names(first) == ["d1", "d2"])
        #expect(first["metadata"]?["resourceVersion"]?.stringValue == version)
        #expect(first["metadata"]?["remainingItemCount"]?.intValue == 3)
        let token = try #require(first["metadata"]?["continue"]?.stringValue)
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"), "unpadded URL-safe base64: \(token)")
        let inside = try decoded(token)
        #expect(inside["v"] == .string("meta.k8s.io/v1"))
        #expect(inside["rv"]?.intValue == Int(version))
        #expect(inside["start"] == .string("default/d2\u{0}"))

        let second = try await client.send("GET", path + "?limit=2&continue=" + token).json
        #expect(names(second) == ["d3", "d4"])
        #expect(second["metadata"]?["resourceVersion"]?.stringValue == version)
        #expect(second["metadata"]?["remainingItemCount"]?.intValue == 1)
        let next = try #require(second["metadata"]?["continue"]?.stringValue)
        #expect(next != token)

        let third = try await client.send("GET", path + "?limit=2&continue=" + next).json
        #expect(names(third) == ["d5"])
        #expect(third["metadata"]?["resourceVersion"]?.stringValue == version)
        #expect(third["metadata"]?["continue"] == nil, "the last page has no token")
        #expect(third["metadata"]?["remainingItemCount"] == nil)
        #expect(third["kind"] == .string("DeploymentList"))
    }

    @Test func withinANamespaceTheTokenStartsAtTheName() async throws {
        let server = try seeded()
        defer { server.stop() }
        let first = try await KubeClient(server).send("GET", "/apis/apps/v1/namespaces/default/deployments?limit=4").json
        #expect(names(first) == ["d1", "d2", "d3", "d4"])
        let token = try #require(first["metadata"]?["continue"]?.stringValue)
        #expect(try decoded(token)["start"] == .string("d4\u{0}"))
        let rest = try await KubeClient(server).send("GET", "/apis/apps/v1/namespaces/default/deployments?limit=4&continue=" + token).json
        #expect(names(rest) == ["d5"])
    }

    @Test func noLimitOrLimitZeroIsOneWholeList() async throws {
        let server = try seeded()
        defer { server.stop() }
        for query in ["", "?limit=0", "?limit=5", "?limit=9"] {
            let list = try await KubeClient(server).send("GET", path + query).json
            #expect(names(list).count == 5, "\(query)")
            #expect(list["metadata"]?["continue"] == nil && list["metadata"]?["remainingItemCount"] == nil, "\(query)")
        }
    }

    @Test func aSelectorKeepsTheTokenAndLeavesOutTheCount() async throws {
        let server = try seeded()
        defer { server.stop() }
        let first = try await KubeClient(server).send("GET", path + "?labelSelector=tier%3Dweb&limit=2").json
        #expect(names(first) == ["d1", "d2"])
        #expect(first["metadata"]?["continue"]?.stringValue != nil)
        #expect(first["metadata"]?["remainingItemCount"] == nil, "real servers cannot count what a selector leaves")
    }

    @Test func laterPagesAreTheFirstPagesSnapshot() async throws {
        let server = try seeded()
        defer { server.stop() }
        let client = KubeClient(server)
        let first = try await client.send("GET", path + "?limit=2").json
        let version = try #require(first["metadata"]?["resourceVersion"]?.stringValue)
        let token = try #require(first["metadata"]?["continue"]?.stringValue)
        // Written between the pages: none of it may show in them.
        try server.apply(as: "other", .deployments, namespace: "default", object: deploymentBody("d6"))
        try server.delete(.deployments, namespace: "default", name: "d5")
        try server.scale(namespace: "default", name: "d3", replicas: 9)

        let second = try await client.send("GET", path + "?limit=2&continue=" + token).json
        let third = try await client.send("GET", path + "?limit=2&continue=" + (second["metadata"]?["continue"]?.stringValue ?? "")).json
        #expect(names(second) + names(third) == ["d3", "d4", "d5"])
        #expect(second["items"]?.arrayValue?.first?["spec"]?["replicas"]?.intValue == 2, "d3 as it was")
        #expect(second["metadata"]?["resourceVersion"]?.stringValue == version)
        #expect(third["metadata"]?["resourceVersion"]?.stringValue == version)

        let now = try await client.send("GET", path).json
        #expect(names(now) == ["d1", "d2", "d3", "d4", "d6"])
        #expect(now["metadata"]?["resourceVersion"]?.stringValue != version)
    }

    @Test func aTokenFromBeforeACompactionIs410Expired() async throws {
        let server = try seeded()
        defer { server.stop() }
        let client = KubeClient(server)
        let first = try await client.send("GET", path + "?limit=2").json
        let token = try #require(first["metadata"]?["continue"]?.stringValue)
        try server.apply(as: "other", .deployments, namespace: "default", object: deploymentBody("d6"))
        server.compact()

        let answer = try await client.send("GET", path + "?limit=2&continue=" + token)
        #expect(answer.status == 410)
        #expect(answer.contentType == "application/json")
        let status = answer.json
        #expect(status["kind"] == .string("Status") && status["apiVersion"] == .string("v1"))
        #expect(status["status"] == .string("Failure"))
        #expect(status["reason"] == .string("Expired"))
        #expect(status["code"]?.intValue == 410)
        #expect(status["message"] == .string("The provided continue parameter is too old to display a consistent list result. "
            + "You can start a new list without the continue parameter, or use the continue token in this response to retrieve "
            + "the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that "
            + "were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."))
        // The fresh token reads the rest from the latest state: d6, written after the first page, shows.
        let fresh = try #require(status["metadata"]?["continue"]?.stringValue)
        #expect(try decoded(fresh)["rv"]?.intValue == -1)
        #expect(try decoded(fresh)["start"] == .string("default/d2\u{0}"))
        let rest = try await client.send("GET", path + "?continue=" + fresh).json
        #expect(names(rest) == ["d3", "d4", "d5", "d6"])
        #expect(rest["metadata"]?["resourceVersion"]?.stringValue == server.resourceVersion)
    }

    @Test func aCompactionWithNoWriteSinceKeepsTheSnapshot() async throws {
        let server = try seeded()
        defer { server.stop() }
        let first = try await KubeClient(server).send("GET", path + "?limit=2").json
        server.compact()
        let token = try #require(first["metadata"]?["continue"]?.stringValue)
        #expect(try await KubeClient(server).send("GET", path + "?limit=2&continue=" + token).status == 200,
                "etcd can still read at the revision it compacted to")
    }

    @Test(arguments: [
        ("not*base64", "illegal base64 data at input byte 3"),
        ("e30", "server does not recognize this encoded version \"\""),
        ("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhXHUwMDAwIn0", "incorrect encoded start resourceVersion"),
        ("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6Nywic3RhcnQiOiIifQ", "encoded start key empty"),
        ("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6Nywic3RhcnQiOiIuLi9zZWNyZXRzIn0", "../secrets"),
        ("bm90IGpzb24", "continue key is not valid"),
    ])
    func aMalformedTokenIsABadRequest(token: String, says: String) async throws {
        let server = try seeded()
        defer { server.stop() }
        let answer = try await KubeClient(server).send("GET", path + "?limit=2&continue=" + token)
        #expect(answer.status == 400)
        #expect(answer.json["reason"] == .string("BadRequest"))
        let message = answer.json["message"]?.stringValue ?? ""
        #expect(message.hasPrefix("invalid continue token: continue key is not valid"), "\(message)")
        #expect(message.contains(says), "\(message)")
    }

    @Test func aContinueWithAResourceVersionIsABadRequest() async throws {
        let server = try seeded()
        defer { server.stop() }
        let first = try await KubeClient(server).send("GET", path + "?limit=2").json
        let token = try #require(first["metadata"]?["continue"]?.stringValue)
        let answer = try await KubeClient(server).send("GET", path + "?limit=2&resourceVersion=5&continue=" + token)
        #expect(answer.status == 400)
        #expect(answer.json["message"] == .string("specifying resource version is not allowed when using continue"))
    }
}
