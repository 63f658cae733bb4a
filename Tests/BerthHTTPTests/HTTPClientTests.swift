import BerthHTTP
import BerthTestSupport
import Foundation
import Testing

@Suite struct HTTPClientTests {
    @Test func getReadsAContentLengthBody() async throws {
        try await withServer({ _ in .json(#"{"Version":"27.5.1"}"#, headers: [("Api-Version", "1.47")]) }) { server in
            let response = try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/version"))
            #expect(response.status == 200)
            #expect(response.bodyText == #"{"Version":"27.5.1"}"#)
            #expect(response.headers["api-version"] == "1.47")
            #expect(response.headers["content-length"] == "20")
        }
    }

    @Test func postDeliversMethodPathHeadersAndBodyIntact() async throws {
        // Every byte value, to catch any text conversion on the way.
        let body = Array(#"{"Image":"nginx:1.27","Env":["A=b c"]}"#.utf8) + (0...255).map { UInt8($0) }
        try await withServer({ _ in .json(#"{"Id":"abc"}"#, status: 201) }) { server in
            let request = HTTPRequest(method: "POST", path: "/v1.47/containers/create?name=web%201",
                                      headers: [("X-Registry-Auth", "e30=")], body: body)
            let response = try await HTTPClient(endpoint: server.endpoint).send(request)
            #expect(response.status == 201)
            let received = try #require(server.requests.first)
            #expect(received.method == "POST")
            #expect(received.path == "/v1.47/containers/create?name=web%201")
            #expect(received.body == body)
            #expect(received.header("content-length") == String(body.count))
            #expect(received.header("content-type") == "application/json")
            #expect(received.header("x-registry-auth") == "e30=")
            #expect(received.header("host") == "localhost")
            #expect(received.header("connection") == "close")
        }
    }

    @Test func keepsCallerHeadersAndSendsLengthForBodilessPost() async throws {
        try await withServer({ _ in .response(status: 204) }) { server in
            let client = HTTPClient(endpoint: server.endpoint)
            _ = try await client.send(HTTPRequest(method: "POST", path: "/build", headers: [("Content-Type", "application/x-tar")], body: [1, 2]))
            _ = try await client.send(HTTPRequest(method: "POST", path: "/containers/x/start"))
            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.first?.headers.filter { $0.0.lowercased() == "content-type" }.map(\.1) == ["application/x-tar"])
            #expect(requests.last?.header("content-length") == "0")
        }
    }

    @Test func chunkedBodyIsReassembledWithItsTrailer() async throws {
        let chunks = ["first ", "second ", String(repeating: "x", count: 70_000)].map { HTTPServerChunk($0) }
        try await withServer({ _ in .chunked(status: 200, chunks: chunks, trailers: [("X-Checksum", "42")]) }) { server in
            let response = try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/logs"))
            #expect(response.bodyText == "first second " + String(repeating: "x", count: 70_000))
            #expect(response.headers["x-checksum"] == "42")
            #expect(response.headers["transfer-encoding"] == "chunked")
        }
    }

    @Test func chunkedBodySplitAcrossReadsMidSyntax() async throws {
        // Pauses force separate reads inside the size line, inside the data and inside the CRLFs.
        let pieces = ["HTTP/1.1 200 OK\r\nTransfer-Enc", "oding: chunked\r\n\r\n1", "0;ext=1\r\n0123456",
                      "789abcdef\r", "\n5\r\nhel", "lo\r\n0\r\nX-Tra", "iler: yes\r\n", "\r\n"]
            .map { HTTPServerChunk($0, delay: .milliseconds(20)) }
        try await withServer({ _ in .raw(pieces) }) { server in
            let response = try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/"))
            #expect(response.bodyText == "0123456789abcdefhello")
            #expect(response.headers["x-trailer"] == "yes")
        }
    }

    @Test func notFoundIsAResponseNotAnError() async throws {
        try await withServer({ _ in .json(#"{"message":"No such container: web"}"#, status: 404) }) { server in
            let response = try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/containers/web/json"))
            #expect(response.status == 404)
            #expect(response.bodyText.contains("No such container"))
        }
    }

    @Test func skipsInterimResponsesAndReadsBodyToClose() async throws {
        let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nServer: old\r\n\r\nuntil the end"
        try await withServer({ _ in .raw([HTTPServerChunk(raw)]) }) { server in
            let response = try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/"))
            #expect(response.status == 200)
            #expect(response.bodyText == "until the end")
        }
    }

    @Test(arguments: [("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"), ("GET", "HTTP/1.1 204 No Content\r\n\r\n"),
                      ("GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n")])
    func bodilessResponsesDoNotWaitForABody(method: String, head: String) async throws {
        // The server holds the connection open afterwards, so reading a body would hang.
        let gate = HTTPTestGate(timeout: hangGuard)
        defer { gate.open() }
        try await withServer({ _ in .raw([HTTPServerChunk(head), HTTPServerChunk("", after: gate)]) }) { server in
            let start = ContinuousClock.now
            let response = try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: method, path: "/"))
            #expect(ContinuousClock.now - start < hangGuard)
            #expect(response.body.isEmpty)
        }
    }

    @Test func worksOverTCP() async throws {
        try await withServer(tcp: true, { request in .text("tcp \(request.header("host") ?? "")") }) { server in
            let endpoint = try #require(server.tcpEndpoint)
            let response = try await HTTPClient(endpoint: endpoint).send(HTTPRequest(method: "GET", path: "/_ping"))
            guard case .tcp(_, let port) = endpoint else { return }
            #expect(response.bodyText == "tcp 127.0.0.1:\(port)")
        }
    }

    @Test func thirtyConcurrentRequestsAreInFlightTogether() async throws {
        // Each reply waits until all 30 requests have arrived. If blocking I/O ran on the
        // two-thread cooperative pool, at most two would arrive and the rest get 503.
        let count = 30
        let barrier = NSCondition()
        let arrived = HTTPCounter()
        let handler: UnixHTTPTestServer.Handler = { request in
            barrier.lock()
            defer { barrier.unlock() }
            arrived.increment()
            barrier.broadcast()
            let deadline = Date().addingTimeInterval(2)
            while arrived.value < count {
                if !barrier.wait(until: deadline) { return .text("only \(arrived.value) arrived", status: 503) }
            }
            return .text(request.path)
        }
        try await withServer(handler) { server in
            let client = HTTPClient(endpoint: server.endpoint)
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponse).self) { group in
                for index in 0..<count {
                    group.addTask { (index, try await client.send(HTTPRequest(method: "GET", path: "/r/\(index)"))) }
                }
                var results: [Int: HTTPResponse] = [:]
                for try await (index, response) in group { results[index] = response }
                return results
            }
            #expect(statuses.count == count)
            for (index, response) in statuses {
                #expect(response.status == 200, "\(response.bodyText)")
                #expect(response.bodyText == "/r/\(index)")
            }
        }
    }

    @Test func malformedStatusLineIsAProtocolError() async throws {
        try await withServer({ _ in .raw([HTTPServerChunk("SSH-2.0-OpenSSH_9.2\r\n\r\n")]) }) { server in
            let error = await httpError { try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/")) }
            #expect(error?.kind == .protocolError)
            #expect(error?.isTransient == false)
            #expect(error?.description.contains("SSH-2.0") == true)
        }
    }
}

/// A counter the barrier handler shares across server threads (guarded by the NSCondition).
final class HTTPCounter: @unchecked Sendable {
    private(set) var value = 0
    func increment() { value += 1 }
}
