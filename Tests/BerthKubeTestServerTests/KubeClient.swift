import BerthHTTP
import BerthJSON
import BerthTestSupport
import Foundation

/// A minimal API client for the tests: one request, the answer parsed as JSON.
struct KubeClient {
    let server: KubeTestServer
    var token: String?

    /// A client with the server's token.
    init(_ server: KubeTestServer) {
        self.init(server, token: server.token)
    }

    /// A client with `token`, or none at all when nil.
    init(_ server: KubeTestServer, token: String?) {
        self.server = server
        self.token = token
    }

    struct Answer {
        var status: Int
        var contentType: String?
        var text: String
        var json: JSONValue { (try? JSONParser.parse(text).value) ?? .null }
    }

    func send(_ method: String, _ path: String, body: JSONValue? = nil,
              contentType: String = "application/json") async throws -> Answer {
        var headers: [(String, String)] = [("Accept", "application/json"), ("User-Agent", "berth-test/1.0")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if body != nil { headers.append(("Content-Type", contentType)) }
        let response = try await HTTPClient(endpoint: server.endpoint, timeout: .seconds(30))
            .send(HTTPRequest(method: method, path: path, headers: headers, body: body.map { Array($0.serialized().utf8) }))
        return Answer(status: response.status, contentType: response.headers["content-type"], text: response.bodyText)
    }

    func apply(_ path: String, _ object: JSONValue, manager: String = "berth", force: Bool? = nil) async throws -> Answer {
        let query = "?fieldManager=\(manager)" + (force.map { "&force=\($0)" } ?? "")
        return try await send("PATCH", path + query, body: object, contentType: "application/apply-patch+yaml")
    }

    /// Opens a watch; its lines arrive through the stream as the server writes them.
    func watch(_ path: String) async throws -> HTTPStream {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try await HTTPClient(endpoint: server.endpoint, timeout: .seconds(30))
            .stream(HTTPRequest(method: "GET", path: path, headers: headers))
    }
}

/// Reads watch events one at a time, each as (type, object).
struct WatchReader {
    private var lines: AsyncThrowingStream<[UInt8], Error>.AsyncIterator

    init(_ stream: HTTPStream) {
        lines = stream.lines.makeAsyncIterator()
    }

    /// The next event; nil when the stream ended.
    mutating func next() async throws -> (type: String, object: JSONValue)? {
        while let line = try await lines.next() {
            guard !line.isEmpty, let event = try? JSONParser.parse(line).value else { continue }
            return (event["type"]?.stringValue ?? "", event["object"] ?? .null)
        }
        return nil
    }

    /// The next event that is not a BOOKMARK.
    mutating func nextChange() async throws -> (type: String, object: JSONValue)? {
        while let event = try await next() {
            if event.type != "BOOKMARK" { return event }
        }
        return nil
    }
}

/// A Deployment as berth would apply it.
func deploymentBody(_ name: String, replicas: Int = 2, env: [String: String] = ["LOG_LEVEL": "info"],
                    annotations: [String: String] = [:], labels extra: [String: String] = [:]) -> JSONValue {
    let selector: [String: JSONValue] = ["app": .string(name)]
    let labels = selector.merging(extra.mapValues { .string($0) }) { a, _ in a }
    let container: JSONValue = .object([
        "name": .string(name), "image": .string("busybox:1"),
        "env": .array(env.keys.sorted().map { .object(["name": .string($0), "value": .string(env[$0]!)]) }),
    ])
    return .object([
        "apiVersion": .string("apps/v1"), "kind": .string("Deployment"),
        "metadata": .object(["name": .string(name), "labels": .object(labels), "annotations": .object(annotations.mapValues { .string($0) })]),
        "spec": .object([
            "replicas": .number(String(replicas)), "selector": .object(["matchLabels": .object(selector)]),
            "template": .object(["metadata": .object(["labels": .object(selector)]), "spec": .object(["containers": .array([container])])]),
        ]),
    ])
}

extension JSONValue {
    var resourceVersion: String? { self["metadata"]?["resourceVersion"]?.stringValue }
    var generation: Int? { self["metadata"]?["generation"]?.intValue }
    var managers: [String] { (self["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue } }
}
