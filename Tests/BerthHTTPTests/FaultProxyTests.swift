import BerthHTTP
import BerthTestSupport
import Foundation
import Testing

/// The fault proxy itself, between HTTPClient and a test server: each fault does what the
/// integration scenarios rely on, and the schedule is reproducible from its seed.
@Suite(.timeLimit(.minutes(5)))
struct FaultProxyTests {
    /// A proxy in front of `server` with `rules`, stopped after `body`.
    func withProxy<T>(_ server: UnixHTTPTestServer, _ rules: [FaultRule], seed: UInt64 = 1,
                      _ body: (FaultProxy, HTTPClient) async throws -> T) async throws -> T {
        let proxy = try FaultProxy(upstream: server.socketPath, schedule: FaultSchedule(seed: seed, rules: rules, cutAfterEvents: 2))
        try proxy.start()
        defer { proxy.stop() }
        return try await body(proxy, HTTPClient(endpoint: .unix(path: proxy.socketPath), timeout: .seconds(2)))
    }

    @Test func withoutFaultsRequestsAndBodiesPassByteForByte() async throws {
        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await withServer({ request in .response(status: 201, body: request.body.reversed()) }) { server in
            try await withProxy(server, []) { proxy, client in
                let response = try await client.send(HTTPRequest(method: "POST", path: "/v1.43/upload", body: big))
                #expect(response.status == 201)
                #expect(response.body == big.reversed())
                #expect(server.requests.first?.body == big)
                #expect(proxy.entries.map(\.path) == ["/v1.43/upload"])
                #expect(proxy.counts.isEmpty)
            }
        }
    }

    @Test func http503IsAnsweredWithoutTheEngine() async throws {
        try await withServer({ _ in .json("{}") }) { server in
            try await withProxy(server, [FaultRule(.http503, method: "POST", path: "/containers/create")]) { proxy, client in
                let response = try await client.send(HTTPRequest(method: "POST", path: "/v1.43/containers/create?name=x", body: Array("{}".utf8)))
                #expect(response.status == 503)
                #expect(response.bodyText.contains(#""message":"fault proxy: injected 503"#))
                // Another path is not matched and reaches the server.
                #expect(try await client.send(HTTPRequest(method: "GET", path: "/v1.43/version")).status == 200)
                #expect(server.requests.map(\.path) == ["/v1.43/version"])
                #expect(proxy.counts == ["http-503": 1])
            }
        }
    }

    @Test func dropResponseReachesTheEngineButTheClientSeesALostConnection() async throws {
        try await withServer({ _ in .json(#"{"Id":"abc"}"#, status: 201) }) { server in
            try await withProxy(server, [FaultRule(.dropResponse, limit: 1)]) { proxy, client in
                let error = await httpError { try await client.send(HTTPRequest(method: "POST", path: "/v1.43/containers/create", body: Array("{}".utf8))) }
                #expect(error?.kind == .reset && error?.isTransient == true, "\(String(describing: error))")
                #expect(server.requests.count == 1)
                // The limit of one spent: the next request passes.
                let next = try await client.send(HTTPRequest(method: "GET", path: "/v1.43/version"))
                #expect(next.status == 201)
                #expect(proxy.count(.dropResponse) == 1)
            }
        }
    }

    @Test func resetMidResponsePassesPartOfTheBody() async throws {
        let body = String(repeating: "x", count: 10_000)
        try await withServer({ _ in .text(body) }) { server in
            try await withProxy(server, [FaultRule(.resetMidResponse)]) { _, client in
                let error = await httpError { try await client.send(HTTPRequest(method: "GET", path: "/v1.43/containers/json")) }
                #expect(error?.kind == .reset, "\(String(describing: error))")
                #expect(error?.detail.contains("body bytes") == true, "\(String(describing: error))")
                #expect(server.requests.count == 1)
            }
        }
    }

    @Test func aStallOutlastsTheClientsTimeout() async throws {
        try await withServer({ _ in .json("{}") }) { server in
            try await withProxy(server, [FaultRule(.stall)]) { proxy, client in
                let error = await httpError { try await client.send(HTTPRequest(method: "GET", path: "/v1.43/info")) }
                #expect(error?.kind == .timeout, "\(String(describing: error))")
                #expect(server.requests.isEmpty)
                // Switched off at runtime: the same request now passes.
                proxy.faultsOn = false
                let next = try await client.send(HTTPRequest(method: "GET", path: "/v1.43/info"))
                #expect(next.status == 200)
                #expect(proxy.count(.stall) == 1)
            }
        }
    }

    @Test func theEventStreamIsCutAfterTwoEvents() async throws {
        let events = (1...5).map { HTTPServerChunk(#"{"Type":"container","n":\#($0)}"# + "\n", delay: .milliseconds(20)) }
        try await withServer({ _ in .chunked(status: 200, chunks: events) }) { server in
            try await withProxy(server, [FaultRule(.cutEvents)]) { proxy, client in
                let stream = try await client.stream(HTTPRequest(method: "GET", path: "/v1.43/events"))
                var lines: [String] = []
                var ended: (any Error)?
                do { for try await line in stream.lines { lines.append(String(decoding: line, as: UTF8.self)) } } catch { ended = error }
                #expect(lines.count == 2, "\(lines)")
                #expect((ended as? HTTPError)?.kind == .reset, "\(String(describing: ended))")
                #expect(proxy.count(.cutEvents) == 1)
            }
        }
    }

    @Test func staleVersionLowersTheVersionInTheQuery() async throws {
        try await withServer({ _ in .json("{}") }) { server in
            try await withProxy(server, [FaultRule(.staleVersion, limit: 1)]) { _, client in
                _ = try await client.send(HTTPRequest(method: "POST", path: "/v1.43/services/abc/update?version=42", body: Array("{}".utf8)))
                _ = try await client.send(HTTPRequest(method: "POST", path: "/v1.43/services/abc/update?version=42", body: Array("{}".utf8)))
                #expect(server.requests.map(\.path) == ["/v1.43/services/abc/update?version=41", "/v1.43/services/abc/update?version=42"])
                #expect(server.requests.first?.bodyText == "{}")
            }
        }
    }

    @Test func theSameSeedGivesTheSameFaults() {
        func run(_ seed: UInt64) -> [FaultKind?] {
            var schedule = FaultSchedule.mixed(seed: seed, fraction: 0.5)
            return (0..<200).map { schedule.decide(method: "GET", path: "/v1.43/containers/\($0)/json") }
        }
        #expect(run(7) == run(7))
        #expect(run(7) != run(8))
        // About half of the requests get a fault, every kind of the mix among them.
        let faults = run(7).compactMap { $0 }
        #expect((60...140).contains(faults.count), "\(faults.count)")
        #expect(Set(faults) == [.http500, .http503, .resetMidResponse, .stall, .dropResponse])
    }
}
