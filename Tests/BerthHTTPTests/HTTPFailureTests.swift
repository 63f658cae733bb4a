import BerthHTTP
import BerthTestSupport
import Foundation
import Glibc
import Testing

@Suite struct HTTPFailureTests {
    @Test func missingSocketIsATransientConnectError() async throws {
        let path = "/tmp/berth-http-missing-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        let error = await httpError { try await HTTPClient(endpoint: .unix(path: path)).send(HTTPRequest(method: "GET", path: "/_ping")) }
        #expect(error?.kind == .connect)
        #expect(error?.isTransient == true)
        #expect(error?.detail == "the socket does not exist (is the engine running?)")
        #expect(error?.description == "cannot reach unix://\(path): the socket does not exist (is the engine running?)")
    }

    @Test func socketWithoutListenerIsRefused() async throws {
        // A socket file left behind by a dead daemon: bound once, never listening.
        let server = try UnixHTTPTestServer { _ in .stall }
        defer { server.stop() }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(server.socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        let error = await httpError { try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/")) }
        #expect(error?.kind == .connect)
        #expect(error?.detail == "nothing is listening there (connection refused; is the engine running?)")
        #expect(error?.isTransient == true)
        #expect(error?.description.contains(server.socketPath) == true)
    }

    @Test func socketPathTooLongNamesThePath() async throws {
        let path = "/tmp/" + String(repeating: "p", count: 110) + ".sock"
        let error = await httpError { try await HTTPClient(endpoint: .unix(path: path)).send(HTTPRequest(method: "GET", path: "/")) }
        #expect(error?.kind == .invalidEndpoint)
        #expect(error?.isTransient == false)
        #expect(error?.description.contains(path) == true)
    }

    @Test func closedTCPPortIsATransientConnectError() async throws {
        // Bind a port and release it, so nothing listens there.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        close(fd)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let error = await httpError { try await HTTPClient(endpoint: .tcp(host: "127.0.0.1", port: port)).send(HTTPRequest(method: "GET", path: "/")) }
        #expect(error?.kind == .connect)
        #expect(error?.isTransient == true)
        #expect(error?.description == "cannot reach tcp://127.0.0.1:\(port): nothing is listening there (connection refused; is the engine running?)")
    }

    @Test func connectionClosedMidBodyIsReported() async throws {
        let body = [UInt8](repeating: 65, count: 1000)
        let headLength = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n".utf8.count
        try await withServer({ _ in .cutOff(.response(status: 200, body: body), afterBytes: headLength + 100) }) { server in
            let error = await httpError { try await HTTPClient(endpoint: server.endpoint).send(HTTPRequest(method: "GET", path: "/")) }
            #expect(error?.kind == .reset)
            #expect(error?.isTransient == true)
            #expect(error?.detail == "connection closed after 100 of 1000 body bytes")
        }
    }

    @Test func tcpResetMidBodyIsReported() async throws {
        let chunks = [HTTPServerChunk("partial"), HTTPServerChunk(String(repeating: "z", count: 100), delay: .milliseconds(50))]
        let reply = HTTPServerReply.cutOff(.chunked(status: 200, chunks: chunks), afterBytes: 120, reset: true)
        try await withServer(tcp: true, { _ in reply }) { server in
            let endpoint = try #require(server.tcpEndpoint)
            let error = await httpError { try await HTTPClient(endpoint: endpoint).send(HTTPRequest(method: "GET", path: "/")) }
            #expect(error?.kind == .reset)
            #expect(error?.detail == "connection reset by peer")
        }
    }

    @Test func stallTimesOutAfterTheConfiguredTimeout() async throws {
        try await withServer({ _ in .stall }) { server in
            let client = HTTPClient(endpoint: server.endpoint, timeout: .milliseconds(300))
            let start = ContinuousClock.now
            let error = await httpError { try await client.send(HTTPRequest(method: "GET", path: "/")) }
            let elapsed = ContinuousClock.now - start
            #expect(error?.kind == .timeout)
            #expect(error?.isTransient == true)
            #expect(error?.detail == "timed out after 300ms waiting for the response")
            #expect(elapsed >= .milliseconds(290) && elapsed < hangGuard)
            #expect(await eventually { server.openConnections == 0 })
        }
    }

    @Test func cancellingASendClosesTheConnectionPromptly() async throws {
        try await withServer({ _ in .stall }) { server in
            let client = HTTPClient(endpoint: server.endpoint)
            let task = Task { try await client.send(HTTPRequest(method: "GET", path: "/")) }
            #expect(await eventually { server.requests.count == 1 })
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - start < hangGuard)
            guard case .failure(let error as HTTPError) = result else {
                Issue.record("expected HTTPError, got \(result)")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(await eventually { server.openConnections == 0 })
        }
    }

    @Test func alreadyCancelledTaskDoesNotConnect() async throws {
        try await withServer({ _ in .text("ok") }) { server in
            let client = HTTPClient(endpoint: server.endpoint)
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await client.send(HTTPRequest(method: "GET", path: "/"))
            }
            let result = await task.result
            guard case .failure(let error as HTTPError) = result else {
                Issue.record("expected cancellation, got \(result)")
                return
            }
            #expect(error.kind == .cancelled)
            #expect(server.requests.isEmpty)
        }
    }
}
