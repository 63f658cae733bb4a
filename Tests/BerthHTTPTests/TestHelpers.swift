import BerthHTTP
import BerthTestSupport
import Foundation
import Testing

/// Runs `body` against a fresh server and always stops it, even when the body throws.
func withServer<T>(
    tcp: Bool = false,
    _ handler: @escaping UnixHTTPTestServer.Handler,
    _ body: (UnixHTTPTestServer) async throws -> T
) async throws -> T {
    let server = try UnixHTTPTestServer(tcp: tcp, handler: handler)
    try server.start()
    defer { server.stop() }
    return try await body(server)
}

/// The error `body` throws, or nil (recorded as a test failure by the caller's #expect).
func httpError<T>(_ body: () async throws -> T) async -> HTTPError? {
    do {
        _ = try await body()
        return nil
    } catch let error as HTTPError {
        return error
    } catch {
        Issue.record("expected HTTPError, got \(error)")
        return nil
    }
}

/// Waits up to `limit` for `condition`, polling; true if it became true.
/// The longest any one step may take before a test calls it hung. A bound, not a measurement:
/// what these tests check is an order of events; durations belong to `make bench`. Generous
/// because a loaded 2-core machine ran 0.1 s steps in 21 s.
let hangGuard: Duration = .seconds(90)

func eventually(within limit: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
    await Poll.until(hangGuard: limit) { condition() }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}
