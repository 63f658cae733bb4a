import BerthHTTP
import BerthTestSupport
import Foundation
import Testing

/// `watch --notify URL` against a receiver that fails, then stalls: the event is posted again,
/// and reconciling goes on meanwhile.
@Suite(.timeLimit(.minutes(10)))
struct NotifyTests {
    /// Answers 500 to the first POST, holds the second until released, then answers 200.
    final class Receiver: @unchecked Sendable {
        private let lock = NSLock()
        private var released = false
        private var stalling = false
        private var count = 0
        func release() { lock.withLock { released = true } }
        var isStalling: Bool { lock.withLock { stalling } }

        func reply(_ request: HTTPServerRequest) -> HTTPServerReply {
            let number = lock.withLock { count += 1; return count }
            if number == 1 { return .text("not now", status: 500) }
            if number == 2 {
                lock.withLock { stalling = true }
                // A hang guard only: the test releases it once the second spec runs.
                let deadline = ContinuousClock.now + .seconds(240)
                while !lock.withLock({ released }), ContinuousClock.now < deadline { HangGuard.tick(seconds: 0.01) }
                lock.withLock { stalling = false }
            }
            return .text("ok")
        }
    }

    static func event(_ request: HTTPServerRequest) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
    }

    @Test func aFailingThenStallingReceiverIsRetriedAndDoesNotHoldUpReconciling() async throws {
        let receiver = Receiver()
        let server = try UnixHTTPTestServer(tcp: true) { receiver.reply($0) }
        try server.start()
        defer { receiver.release(); server.stop() }
        guard case .tcp(_, let port) = try #require(server.tcpEndpoint) else { Issue.record("no TCP port"); return }
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            let url = "http://hook-user:s3cr3t-pw@127.0.0.1:\(port)/hook?token=t0k3n-value"
            let watch = try WatchProcess(p, extra: ["--resync", "30m", "--notify", url])
            do {
                // converged is posted, refused with a 500, and posted again (the retry stalls).
                #expect(try await eventually { server.requests.count >= 2 && receiver.isStalling }, "\(watch.log)")
                let first = server.requests[0], second = server.requests[1]
                #expect(first.method == "POST" && first.path == "/hook?token=t0k3n-value")
                #expect(first.header("Authorization") == "Basic " + Data("hook-user:s3cr3t-pw".utf8).base64EncodedString())
                #expect(first.bodyText == second.bodyText, "the same event, retried")
                let event = Self.event(first)
                #expect(event["event"] as? String == "converged")
                #expect(event["owner"] as? String == p.owner)
                #expect(event["specs"] as? Int == 1)
                #expect((event["time"] as? String)?.hasSuffix("Z") == true)

                // While the receiver stalls, a new spec is reconciled as usual.
                try p.write("b.json", p.spec("b"))
                #expect(try await eventually {
                    try await p.containers().filter { $0.state == "running" }.count == 2
                }, "\(watch.log)")
                #expect(receiver.isStalling, "the receiver was still holding the retry")
                receiver.release()

                // The second convergence follows once the receiver answers.
                #expect(try await eventually {
                    server.requests.dropFirst(2).contains { Self.event($0)["event"] as? String == "converged" && Self.event($0)["specs"] as? Int == 2 }
                }, "\(watch.log)")
                #expect(watch.log.contains("trying again with backoff"), "\(watch.log)")
                #expect(!watch.log.contains("s3cr3t-pw") && !watch.log.contains("t0k3n-value"), "credentials masked: \(watch.log)")
            } catch {
                _ = await watch.stop()
                throw error
            }
            #expect(await watch.stop() == 0)
        }
    }
}
