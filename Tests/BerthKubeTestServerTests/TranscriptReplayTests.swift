import BerthHTTP
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// Replays every recorded exchange of a real kube-apiserver against a fresh test server
/// and compares the answers by shape (status, Content-Type, Status fields, key sets).
///
/// Each transcript was recorded partway through one session on one cluster, so the state
/// the scenario starts from is seeded first (the namespace, `web` and `api` as berth
/// applied them). What a controller-manager would do is done by hand (status writes,
/// finishing deletions) or, where it would create objects (ReplicaSets, Pods), skipped;
/// each such step prints one line saying so.
@Suite struct TranscriptReplayTests {
    static let token = "replay-token"

    @Test(arguments: try Transcript.names())
    func replay(_ file: String) async throws {
        let transcript = try Transcript.load(file)
        let plan = ReplayPlan.for(file)
        // Deletions finish only when the plan says the recorded cluster's controllers had
        // finished them, never by the clock: a loaded machine must not change the replay.
        let server = KubeTestServer(token: Self.token, finalizationDelay: .seconds(3600))
        try server.start()
        defer { server.stop() }
        try plan.seed(server)
        let client = HTTPClient(endpoint: server.endpoint, timeout: .seconds(30))
        var versions = ResourceVersionMap()
        var background: (index: Int, task: Task<HTTPResponse, Error>)?
        for (index, exchange) in transcript.exchanges.enumerated() {
            let label = "\(file) #\(index + 1) \(exchange.method) \(exchange.path)"
            if let reason = plan.skips[index] {
                print("skipped \(label): \(reason)")
                continue
            }
            if let note = plan.before[index]?(server) { print("\(label): \(note)") }
            if let note = Self.playController(for: exchange, on: server) { print("\(label): \(note)") }
            let request = Self.request(for: exchange, credentials: plan.credentials[index] ?? .token, versions: versions)
            if plan.backgroundWatch == index {
                let open = server.openWatchCount
                background = (index, Task { try await client.send(request) })
                // The watch must be open before the exchanges it is to see.
                #expect(await Poll.until(hangGuard: .seconds(60)) { server.openWatchCount > open }, "\(label): the watch never opened")
                continue
            }
            let response = try await client.send(request)
            check(response, against: exchange, label: label, versions: &versions)
        }
        if let background {
            let exchange = transcript.exchanges[background.index]
            let response = try await background.task.value
            check(response, against: exchange, label: "\(file) #\(background.index + 1) (watch)", versions: &versions)
        }
    }

    private func check(_ response: HTTPResponse, against exchange: Transcript.Exchange, label: String,
                       versions: inout ResourceVersionMap) {
        #expect(response.status == exchange.status, "\(label): status \(response.status), body \(response.bodyText.prefix(300))")
        #expect(response.headers["content-type"] == exchange.contentType, "\(label): Content-Type")
        let actual: JSONValue
        if case .string = exchange.responseBody {
            actual = .string(response.bodyText)
        } else if case .array = exchange.responseBody {
            actual = .array(response.bodyText.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).value })
        } else {
            guard let parsed = try? JSONParser.parse(response.body).value else {
                Issue.record("\(label): body is not JSON: \(response.bodyText.prefix(200))")
                return
            }
            actual = parsed
            versions.learn(recorded: exchange.responseBody, actual: parsed)
        }
        // REPLAY_DEBUG=1 shows what the test server answered, for chasing a mismatch.
        if ProcessInfo.processInfo.environment["REPLAY_DEBUG"] != nil { print("DEBUG \(label) \(response.status) \(actual.serialized().prefix(2000))") }
        for difference in ShapeComparison.differences(recorded: exchange.responseBody, actual: actual) {
            Issue.record("\(label): \(difference)")
        }
    }

    enum Credentials { case token, none, wrongToken }

    static func request(for exchange: Transcript.Exchange, credentials: Credentials, versions: ResourceVersionMap) -> HTTPRequest {
        var headers: [(String, String)] = exchange.requestHeaders.map { ($0.key, $0.value) }
        headers.append(("User-Agent", "transcript-recorder/1.0"))
        switch credentials {
        case .token: headers.append(("Authorization", "Bearer \(token)"))
        case .wrongToken: headers.append(("Authorization", "Bearer not-the-token"))
        case .none: break
        }
        let body = exchange.requestBody.map { versions.translate(body: $0) }
        return HTTPRequest(method: exchange.method, path: versions.translate(path: exchange.path), headers: headers,
                           body: body.map { Array($0.serialized().utf8) })
    }

    /// Where the recorded response shows a status the recorded cluster's controller-manager
    /// wrote, writes that status first, as the controller would have.
    static func playController(for exchange: Transcript.Exchange, on server: KubeTestServer) -> String? {
        let body = exchange.responseBody
        guard body["kind"]?.stringValue == "Deployment", let status = body["status"], status != .object([:]),
              let namespace = body["metadata"]?["namespace"]?.stringValue, let name = body["metadata"]?["name"]?.stringValue,
              let current = server.deployment(namespace: namespace, name: name), current["status"] != status else { return nil }
        let revision = body["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]?.stringValue.flatMap { Int($0) }
        _ = try? server.setDeploymentStatus(namespace: namespace, name: name, status: status, revision: revision)
        return "controller-manager played: Deployment status written as recorded"
    }
}

/// Recorded resourceVersions mapped to the test server's, learned from pairs of responses,
/// so requests that quote one (watch from a list's version, PUT with a stale version) quote ours.
struct ResourceVersionMap {
    private var map: [String: String] = [:]

    mutating func learn(recorded: JSONValue, actual: JSONValue) {
        if let real = recorded["metadata"]?["resourceVersion"]?.stringValue, let ours = actual["metadata"]?["resourceVersion"]?.stringValue {
            map[real] = ours
        }
    }

    func translate(path: String) -> String {
        guard let range = path.range(of: "resourceVersion=[0-9]+", options: .regularExpression) else { return path }
        let recorded = String(path[range].dropFirst("resourceVersion=".count))
        guard let ours = map[recorded] else { return path }
        return path.replacingCharacters(in: range, with: "resourceVersion=\(ours)")
    }

    func translate(body: JSONValue) -> JSONValue {
        guard case .object(var fields) = body, case .object(var metadata)? = fields["metadata"],
              let recorded = metadata["resourceVersion"]?.stringValue, let ours = map[recorded] else { return body }
        metadata["resourceVersion"] = .string(ours)
        fields["metadata"] = .object(metadata)
        return .object(fields)
    }
}
