import BerthHTTP
import BerthModel
import Foundation
import Testing

/// `watch --git --listen`: a push webhook makes the watch fetch at once, long before its
/// interval; an unsigned one fetches nothing.
@Suite(.timeLimit(.minutes(10)))
struct GitWebhookTests {
    @Test func aSignedPushWebhookFetchesTheNewCommitAtOnce() async throws {
        try await GitSourceTests.withRemote { p, remote in
            try remote.commit("web", ["deploy/web.json": p.spec("web")])
            let secretFile = p.root.appendingPathComponent("hook-secret").path
            try (WatchListenerTests.secret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
            // An hour between fetches: only the webhook can bring the second commit in time.
            let watch = try WatchProcess(arguments: ["watch", "--git", remote.fileURL, "--path", "deploy", "--interval", "1h",
                                                     "--listen", "127.0.0.1:0", "--webhook-secret-file", secretFile,
                                                     "--state", p.state, "--owner", p.owner, "--docker-host", p.engine.host])
            defer { watch.kill() }
            #expect(try await eventually { try await GitSourceTests.running(p) == ["\(p.owner)-web-1"] }, "\(watch.log)")
            let endpoint = try #require(WatchListenerTests.listening(watch), "\(watch.log)")

            try remote.commit("api too", ["deploy/api.json": p.spec("api")])
            let body = Array(#"{"ref":"refs/heads/main"}"#.utf8)
            let unsigned = await WatchListenerTests.call(endpoint, "POST", "/hooks/git", body: body)
            #expect(unsigned?.status == 401)
            // The trigger logs before the listener answers: a fetch set off by the refused hook would show.
            #expect(watch.count("webhook: fetching now") == 0, "\(watch.log)")
            let signature = HMAC.sha256Hex(key: Array(WatchListenerTests.secret.utf8), message: body)
            let good = await WatchListenerTests.call(endpoint, "POST", "/hooks/git", headers: [("X-Hub-Signature-256", "sha256=" + signature)], body: body)
            #expect(good?.status == 202)
            #expect(try await eventually { try await GitSourceTests.running(p) == ["\(p.owner)-api-1", "\(p.owner)-web-1"] }, "\(watch.log)")
            #expect(watch.count("webhook: fetching now") == 1, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }
}
