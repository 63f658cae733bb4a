@testable import BerthCommands
import BerthEngine
import BerthHTTP
import BerthJournal
import BerthModel
import Foundation
import Testing

/// Counts fetches, standing in for the git source or the controller's resync.
final class CountingTrigger: FetchTrigger, @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    var count: Int { lock.withLock { calls } }
    func fetchNow() { lock.withLock { calls += 1 } }
}

/// Collects what the routes log and journal.
final class Said: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    var lines: [String] { lock.withLock { items } }
    func add(_ line: String) { lock.withLock { items.append(line) } }
}

@Suite struct WebhookCheckTests {
    static let secret = Array("s3cret-value".utf8)
    static let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
    static var signature: String { HMAC.sha256Hex(key: secret, message: body) }

    func push(_ headers: [(String, String)], body: [UInt8] = body) -> ServerRequest {
        ServerRequest(method: "POST", path: "/hooks/git", headers: headers.map { ($0.0.lowercased(), $0.1) }, body: body)
    }

    @Test func eachStyleIsAcceptedWithTheRightSecret() {
        #expect(WebhookCheck.verify(push([("X-Hub-Signature-256", "sha256=" + Self.signature)]), secret: Self.secret) == .accepted(style: "github"))
        #expect(WebhookCheck.verify(push([("X-Gitea-Signature", Self.signature)]), secret: Self.secret) == .accepted(style: "gitea"))
        #expect(WebhookCheck.verify(push([("X-Gitlab-Token", "s3cret-value")]), secret: Self.secret) == .accepted(style: "gitlab"))
    }

    @Test func aWrongSecretIsRefusedInEachStyle() {
        let other = HMAC.sha256Hex(key: Array("other".utf8), message: Self.body)
        for (headers, style) in [([("X-Hub-Signature-256", "sha256=" + other)], "github"), ([("X-Gitea-Signature", other)], "gitea"),
                                 ([("X-Gitlab-Token", "s3cret-valuE")], "gitlab")] {
            guard case .refused(let said, _) = WebhookCheck.verify(push(headers), secret: Self.secret) else {
                Issue.record("\(style) with a wrong secret was accepted"); continue
            }
            #expect(said == style)
        }
    }

    @Test func aTamperedBodyIsRefused() {
        var tampered = Self.body
        tampered[tampered.count - 3] = UInt8(ascii: "x")
        for headers in [[("X-Hub-Signature-256", "sha256=" + Self.signature)], [("X-Gitea-Signature", Self.signature)]] {
            #expect(WebhookCheck.verify(push(headers, body: tampered), secret: Self.secret)
                == .refused(style: headers[0].0 == "X-Gitea-Signature" ? "gitea" : "github",
                            why: "the signature does not match the body and the webhook secret"))
        }
    }

    @Test func aMissingOrMalformedHeaderIsRefused() {
        #expect(WebhookCheck.verify(push([]), secret: Self.secret)
            == .refused(style: "none", why: "no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header"))
        #expect(WebhookCheck.verify(push([("X-Hub-Signature-256", Self.signature)]), secret: Self.secret)
            == .refused(style: "github", why: "X-Hub-Signature-256 does not start with sha256="))
    }

    @Test func theSecretFileLosesOneTrailingNewlineOnly() throws {
        let path = NSTemporaryDirectory() + "berth-webhook-secret-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "abc \r\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try WebhookCheck.secret(value: nil, file: path) == Array("abc ".utf8))
        #expect(throws: BerthError.self) { try WebhookCheck.secret(value: "a", file: path) }
        #expect(throws: BerthError.self) { try WebhookCheck.secret(value: "", file: nil) }
        #expect(try WebhookCheck.secret(value: nil, file: nil) == nil)
    }
}

@Suite struct WatchRoutesTests {
    static func report(targets: String) throws -> StatusReport {
        let json = #"{"owner":"o1","time":"t","engine":"ok","entries":[],"errors":[],"notes":[],"targets":\#(targets)}"#
        return try JSONDecoder().decode(StatusReport.self, from: Data(json.utf8))
    }

    func routes(secret: String? = "s3cret-value", metrics: (@Sendable () -> String)? = nil)
        -> (WatchRoutes, WatchHealth, CountingTrigger, Said) {
        let health = WatchHealth(), trigger = CountingTrigger(), said = Said()
        let routes = WatchRoutes(owner: "o1", health: health, secret: secret.map { Array($0.utf8) }, trigger: trigger, metrics: metrics,
                                 log: { said.add($0) }, journal: { said.add("journal \($0.event): \($0.error ?? $0.message ?? "")") })
        return (routes, health, trigger, said)
    }

    func text(_ response: ServerResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func readyOnlyOnceAPassReachedEveryTarget() throws {
        let (routes, health, _, _) = routes()
        let get = ServerRequest(method: "GET", path: "/readyz")
        #expect(routes.answer(ServerRequest(method: "GET", path: "/healthz")) == .text(200, "ok"))
        #expect(routes.answer(get) == .text(503, "not ready: the first pass has not finished"))
        #expect(routes.answer(ServerRequest(method: "GET", path: "/status")).status == 503)
        health.record(try Self.report(targets: #"[{"name":"docker","state":"ok"},{"name":"kubernetes","state":"unreachable","error":"connection refused"}]"#))
        #expect(routes.answer(get) == .text(503, "not ready: target kubernetes unreachable: connection refused"))
        health.record(try Self.report(targets: #"[{"name":"docker","state":"ok"}]"#))
        #expect(routes.answer(get) == .text(200, "ready"))
    }

    @Test func statusIsTheJSONOfStatusJSON() throws {
        let (routes, health, _, _) = routes()
        let report = try Self.report(targets: #"[{"name":"docker","state":"ok"}]"#)
        health.record(report)
        let answer = routes.answer(ServerRequest(method: "GET", path: "/status"))
        #expect(answer.headers["Content-Type"] == "application/json")
        #expect(text(answer) == (try StatusCommand.json(report)) + "\n")
    }

    @Test func unknownPathsAre404AndWrongMethods405WithAllow() {
        let (routes, _, _, _) = routes()
        #expect(routes.answer(ServerRequest(method: "GET", path: "/nope")).status == 404)
        let wrong = routes.answer(ServerRequest(method: "GET", path: "/hooks/git"))
        #expect(wrong.status == 405 && wrong.headers["Allow"] == "POST")
        #expect(routes.answer(ServerRequest(method: "POST", path: "/readyz")).headers["Allow"] == "GET")
    }

    @Test func metricsAre404UntilARendererIsGiven() {
        #expect(routes().0.answer(ServerRequest(method: "GET", path: "/metrics")).status == 404)
        let answer = routes(metrics: { "berth_up 1\n" }).0.answer(ServerRequest(method: "GET", path: "/metrics"))
        #expect(answer.status == 200 && text(answer) == "berth_up 1\n")
    }

    @Test func aSignedHookTriggersAFetchAndABadOneOnlyALogLine() {
        let (routes, _, trigger, said) = routes()
        let body = Array("{}".utf8)
        let bad = ServerRequest(method: "POST", path: "/hooks/git", headers: [("x-hub-signature-256", "sha256=00")], body: body, remote: "10.0.0.9")
        #expect(routes.answer(bad).status == 401)
        #expect(trigger.count == 0)
        #expect(said.lines.contains("webhook refused (401) from 10.0.0.9, github style: the signature does not match the body and the webhook secret"))
        let signature = HMAC.sha256Hex(key: Array("s3cret-value".utf8), message: body)
        let good = ServerRequest(method: "POST", path: "/hooks/git", headers: [("x-hub-signature-256", "sha256=" + signature)], body: body)
        #expect(routes.answer(good).status == 202)
        #expect(trigger.count == 1)
        #expect(!said.lines.joined().contains("s3cret-value"))
    }

    @Test func withoutASecretHooksAre404AndNothingIsTriggered() {
        let (routes, _, trigger, _) = routes(secret: nil)
        let answer = routes.answer(ServerRequest(method: "POST", path: "/hooks/git", headers: [("x-gitlab-token", "anything")]))
        #expect(answer.status == 404 && text(answer).contains("--webhook-secret"))
        #expect(trigger.count == 0)
    }
}

@Suite struct WatchListenerOptionsTests {
    func parse(_ argv: [String]) throws -> WatchListenerOptions? {
        try WatchListenerOptions.parse(try CommandTable.parse(["watch"] + argv).1)
    }

    @Test func loopbackOnlyUnlessListenPublic() throws {
        #expect(try parse(["--listen", "127.0.0.1:9180"])?.address == .tcp(host: "127.0.0.1", port: 9180))
        let refusal = #expect(throws: BerthError.self) { try parse(["--listen", "0.0.0.0:9180"]) }
        #expect(refusal?.description.contains("--listen-public") == true)
        #expect(try parse(["--listen", "0.0.0.0:9180", "--listen-public"])?.address == .tcp(host: "0.0.0.0", port: 9180))
    }

    @Test func listenerOptionsNeedListen() throws {
        #expect(try parse([]) == nil)
        #expect(throws: BerthError.self) { try parse(["--webhook-secret", "x"]) }
        #expect(throws: BerthError.self) { try parse(["--listen-public"]) }
    }
}
