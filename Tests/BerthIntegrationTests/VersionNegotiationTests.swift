import BerthDocker
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// A 503 on GET /version (an engine starting up, or the fault proxy) is a passing failure:
/// it must not pin the fallback API version for the rest of a long `berth watch`.
struct VersionNegotiationTests {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func next() -> Int { lock.withLock { value += 1; return value } }
    }

    @Test func aRefusedVersionQueryIsRetriedNotCachedAsTheFallback() async throws {
        let versionCalls = Counter()
        let server = try UnixHTTPTestServer { request in
            guard request.path == "/version" else { return .json("{}") }
            return versionCalls.next() == 1 ? .json(#"{"message": "starting up"}"#, status: 503) : .json(#"{"ApiVersion": "1.40"}"#)
        }
        try server.start()
        defer { server.stop() }
        let client = DockerClient(endpoint: server.endpoint)
        do {
            _ = try await client.request("GET", "/info", doing: "reading the engine's info")
            Issue.record("a 503 on /version must fail the request")
        } catch let error as BerthError {
            #expect(error.isRetryable)
            #expect(error.description.contains("asking the engine for its version: engine answered 503: starting up"), "\(error)")
        }
        _ = try await client.request("GET", "/info", doing: "reading the engine's info")
        #expect(server.requests.map(\.path) == ["/version", "/version", "/v1.40/info"])
    }
}
