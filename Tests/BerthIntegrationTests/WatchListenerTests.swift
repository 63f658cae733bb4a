import BerthHTTP
import BerthJournal
import BerthTestSupport
import BerthModel
import Foundation
import Testing

/// `berth watch --listen`: health, readiness and status over HTTP, and push webhooks that
/// start a pass only when signed with the secret.
@Suite(.timeLimit(.minutes(10)))
struct WatchListenerTests {
    static let secret = "integration-webhook-secret"

    /// GET or POST through berth's own client; nil while nothing listens yet.
    static func call(_ endpoint: HTTPEndpoint, _ method: String, _ path: String, headers: [(String, String)] = [],
                     body: [UInt8]? = nil) async -> HTTPResponse? {
        try? await HTTPClient(endpoint: endpoint, timeout: .seconds(30)).send(HTTPRequest(method: method, path: path, headers: headers, body: body))
    }

    /// The address from the watch's "listening on http://127.0.0.1:PORT" line.
    static func listening(_ watch: WatchProcess) -> HTTPEndpoint? {
        guard let range = watch.log.range(of: "berth watch: listening on http://") else { return nil }
        let rest = watch.log[range.upperBound...].prefix { !$0.isWhitespace }
        return try? HTTPEndpoint(parsing: "tcp://" + rest)
    }

    @Test func readyOnlyOnceTheEngineIsReached() async throws {
        // The engine through a proxy that is unplugged at first: the first pass cannot reach it.
        let proxy = try FaultProxy(upstream: try TestEngine().host, schedule: FaultSchedule(seed: 1, rules: []))
        try proxy.start()
        defer { proxy.stop() }
        proxy.unplug()
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            let socket = p.root.appendingPathComponent("l.sock").path
            let watch = try WatchProcess(p, extra: ["--docker-host", proxy.url, "--listen", "unix://" + socket])
            defer { watch.kill() }
            let endpoint = HTTPEndpoint.unix(path: socket)
            var ready: HTTPResponse?
            #expect(await eventually {
                ready = await Self.call(endpoint, "GET", "/readyz")
                return ready?.status == 503 && ready?.bodyText.contains("target docker unreachable") == true
            }, "\(ready?.bodyText ?? "-")\n\(watch.log)")
            #expect(await Self.call(endpoint, "GET", "/healthz")?.bodyText == "ok\n")
            #expect(await Self.call(endpoint, "POST", "/hooks/git")?.status == 404)
            try proxy.plugIn()
            #expect(await eventually { await Self.call(endpoint, "GET", "/readyz")?.status == 200 }, "\(watch.log)")
            #expect(await watch.stop() == 0)
            // A clean stop takes its socket file away.
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test func statusAndASignedWebhookStartAPassAnUnsignedOneNothing() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            let secretFile = p.root.appendingPathComponent("hook-secret").path
            try (Self.secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
            // No resync and a debounce longer than the test: a spec edit waits for a webhook.
            let watch = try WatchProcess(p, extra: ["--listen", "127.0.0.1:0", "--webhook-secret-file", secretFile,
                                                    "--resync", "1h", "--debounce", "1h"])
            defer { watch.kill() }
            #expect(await eventually { Self.listening(watch) != nil }, "\(watch.log)")
            let endpoint = try #require(Self.listening(watch))
            #expect(try await eventually { try await p.containers().first?.state == "running" }, "\(watch.log)")
            #expect(await eventually { await Self.call(endpoint, "GET", "/readyz")?.status == 200 }, "\(watch.log)")

            let status = try #require(await Self.call(endpoint, "GET", "/status"))
            #expect(status.headers["content-type"] == "application/json")
            let json = try JSONSerialization.jsonObject(with: Data(status.body)) as? [String: Any]
            #expect(json?["owner"] as? String == p.owner, "\(status.bodyText)")
            #expect(await Self.call(endpoint, "GET", "/nope")?.status == 404)
            #expect(await Self.call(endpoint, "GET", "/hooks/git")?.status == 405)

            // A new spec is seen by inotify but waits out the debounce, and an engine event of a
            // only reconciles a: nothing but a full pass creates b.
            try p.write("b.json", p.spec("b"))
            let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
            let bad = await Self.call(endpoint, "POST", "/hooks/git", headers: [("X-Hub-Signature-256", "sha256=" + String(repeating: "0", count: 64))], body: body)
            #expect(bad?.status == 401)
            let unsigned = await Self.call(endpoint, "POST", "/hooks/git", body: body)
            #expect(unsigned?.status == 401)
            // The trigger logs before the listener answers, so each answer orders the log:
            // had a refused webhook set off a fetch, its line would be here already.
            #expect(watch.count("webhook: full resync") == 0, "\(watch.log)")
            let signature = HMAC.sha256Hex(key: Array(Self.secret.utf8), message: body)
            let good = await Self.call(endpoint, "POST", "/hooks/git", headers: [("X-Hub-Signature-256", "sha256=" + signature)], body: body)
            #expect(good?.status == 202)
            #expect(watch.count("webhook: full resync") == 1, "\(watch.log)")
            #expect(try await eventually {
                try await p.containers().filter { $0.state == "running" }.map(\.name) == ["\(p.owner)-a-1", "\(p.owner)-b-1"]
            }, "\(watch.log)")

            // In the journal: both refusals, then the accepted webhook, and only then the pass's actions.
            let records = try JournalReader.read(path: p.state + "/journal.jsonl").records
            let refused = records.filter { $0.event == "webhook-refused" }
            let accepted = try #require(records.first { $0.event == "webhook" })
            #expect(refused.count == 2)
            #expect(refused.allSatisfy { $0.seq < accepted.seq })
            let actions = records.filter { $0.event.hasPrefix("action-") && $0.name == "b" }
            #expect(actions.allSatisfy { $0.seq > accepted.seq }, "\(actions)")
            #expect(!actions.isEmpty)
            #expect(watch.log.contains("webhook refused (401) from 127.0.0.1, none style: no X-Hub-Signature-256"), "\(watch.log)")
            #expect(!watch.log.contains(Self.secret))

            // The metrics count what the watch did: both creates, and passes.
            // The engine shows b running a moment before berth counts its create as done.
            var metrics: HTTPResponse?
            #expect(await eventually {
                metrics = await Self.call(endpoint, "GET", "/metrics")
                return metrics?.bodyText.split(separator: "\n")
                    .contains(#"berth_actions_total{target="docker",kind="container",op="create",result="ok"} 2"#) == true
            }, "\(metrics?.bodyText ?? "-")")
            #expect(metrics?.status == 200)
            #expect(metrics?.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            let lines = metrics?.bodyText.split(separator: "\n") ?? []
            #expect(lines.contains(#"berth_target_up{target="docker"} 1"#), "\(metrics?.bodyText ?? "-")")
            #expect(lines.contains { $0.hasPrefix(#"berth_passes_total{result="converged"} "#) }, "\(metrics?.bodyText ?? "-")")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }
}
