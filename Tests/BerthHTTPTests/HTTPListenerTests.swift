import BerthHTTP
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// `HTTPListener` against real sockets: what a client sees for good requests and for each limit.
@Suite struct HTTPListenerTests {
    /// Runs `body` with a listener on a Unix socket in a fresh folder; always stops it and removes the folder.
    func withListener(limits: HTTPListener.Limits = .init(), _ handler: @escaping HTTPListener.Handler = echo,
                      _ body: (HTTPListener, String) throws -> Void) throws {
        let folder = try TemporaryDirectory(prefix: "listener")
        defer { folder.remove() }
        let listener = try HTTPListener(address: .unix(path: folder.path + "/l.sock"), limits: limits, handler: handler)
        defer { listener.stop() }
        try body(listener, folder.path)
    }

    static let echo: HTTPListener.Handler = { request in
        .text(200, "\(request.method) \(request.path) q=\(request.query ?? "-") from \(request.remote) body=\(String(decoding: request.body, as: UTF8.self))")
    }

    @Test func answersOneRequestAndClosesOnAUnixSocketMadePrivate() throws {
        try withListener { listener, folder in
            let answer = try ListenerClient.exchange(listener.address, "GET /a/b?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(answer.contains("Connection: close\r\n"))
            #expect(ListenerClient.body(answer) == "GET /a/b q=x=1 from unix socket body=\n")
            var info = stat()
            #expect(stat(folder + "/l.sock", &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["l.sock"])
        }
    }

    @Test func stopRemovesTheSocketFileAndRefusesNewConnections() throws {
        let folder = try TemporaryDirectory(prefix: "listener")
        defer { folder.remove() }
        let listener = try HTTPListener(address: .unix(path: folder.path + "/l.sock"), handler: Self.echo)
        listener.stop()
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/l.sock"))
        #expect(throws: ListenerClient.Failure.self) { _ = try ListenerClient.connect(listener.address) }
        listener.stop()
    }

    @Test func tcpPortZeroGetsAPortAndTheBodyArrives() throws {
        let listener = try HTTPListener(address: .tcp(host: "127.0.0.1", port: 0), handler: Self.echo)
        defer { listener.stop() }
        guard case .tcp(_, let port) = listener.address else { Issue.record("not TCP"); return }
        #expect(port > 0)
        let answer = try ListenerClient.exchange(listener.address, "POST /hooks HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        #expect(ListenerClient.body(answer) == "POST /hooks q=- from 127.0.0.1 body=hello\n")
    }

    @Test func ipv6LoopbackWorks() throws {
        let listener: HTTPListener
        do { listener = try HTTPListener(address: .tcp(host: "::1", port: 0), handler: Self.echo) } catch {
            // A machine without IPv6 (some CI containers) cannot bind [::1]; nothing to test there.
            #expect(error.description.contains("::1"))
            return
        }
        defer { listener.stop() }
        #expect(listener.address.description.hasPrefix("http://[::1]:"))
        let answer = try ListenerClient.exchange(listener.address, "GET /x HTTP/1.1\r\n\r\n")
        #expect(ListenerClient.body(answer).contains("from ::1"))
    }

    @Test func aHeadOverTheLimitIs431() throws {
        try withListener { listener, _ in
            let big = "GET / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 17 * 1024) + "\r\n\r\n"
            let answer = try ListenerClient.exchange(listener.address, big)
            #expect(ListenerClient.status(answer) == 431)
        }
    }

    @Test func aBodyOverTheLimitIs413BeforeItIsSent() throws {
        try withListener { listener, _ in
            let answer = try ListenerClient.exchange(listener.address, "POST / HTTP/1.1\r\nContent-Length: \(1024 * 1024 + 1)\r\n\r\n")
            #expect(ListenerClient.status(answer) == 413)
            #expect(ListenerClient.body(answer).contains("over the limit of 1048576"))
        }
    }

    @Test func aRefusedBodyThatIsSentAnywayDoesNotHideThe413() throws {
        var limits = HTTPListener.Limits()
        limits.body = 1024
        // A client that sends the body without waiting (no Expect: 100-continue) still reads the refusal.
        let listener = try HTTPListener(address: .tcp(host: "127.0.0.1", port: 0), limits: limits, handler: Self.echo)
        defer { listener.stop() }
        let body = [UInt8](repeating: 66, count: 256 * 1024)
        let answer = try ListenerClient.exchange(listener.address, Array("POST / HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        #expect(ListenerClient.status(answer) == 413)
    }

    @Test func aBodyAtTheLimitIsAccepted() throws {
        try withListener({ .text(200, "\($0.body.count)") }) { listener, _ in
            let body = [UInt8](repeating: 65, count: 1024 * 1024)
            let answer = try ListenerClient.exchange(listener.address, Array("POST / HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            #expect(ListenerClient.body(answer) == "1048576\n")
        }
    }

    @Test func expectContinueGetsA100First() throws {
        try withListener { listener, _ in
            let fd = try ListenerClient.connect(listener.address)
            defer { close(fd) }
            ListenerClient.send(fd, Array("POST / HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n".utf8))
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = recv(fd, &buffer, buffer.count, 0)
            #expect(String(decoding: buffer[0..<max(count, 0)], as: UTF8.self) == "HTTP/1.1 100 Continue\r\n\r\n")
            ListenerClient.send(fd, Array("ok".utf8))
            #expect(ListenerClient.readAll(fd).contains("body=ok"))
        }
    }

    @Test func aRequestThatNeverEndsIs408() throws {
        var limits = HTTPListener.Limits()
        limits.request = .milliseconds(300)
        try withListener(limits: limits) { listener, _ in
            let answer = try ListenerClient.exchange(listener.address, "GET / HTTP/1.1\r\nHost: x\r\n")
            #expect(ListenerClient.status(answer) == 408)
        }
    }

    @Test func connectionsOverTheLimitAre503AndTheOthersAreStillServed() throws {
        var limits = HTTPListener.Limits()
        limits.connections = 2
        try withListener(limits: limits) { listener, _ in
            // Two clients that have sent nothing yet hold both places (accepted in order by one thread).
            let first = try ListenerClient.connect(listener.address), second = try ListenerClient.connect(listener.address)
            defer { close(first); close(second) }
            let third = try ListenerClient.exchange(listener.address, "GET / HTTP/1.1\r\n\r\n")
            #expect(ListenerClient.status(third) == 503)
            ListenerClient.send(first, Array("GET /first HTTP/1.1\r\n\r\n".utf8))
            #expect(ListenerClient.readAll(first).contains("GET /first"))
        }
    }

    @Test func malformedRequestsAreRefusedWithTheirStatus() throws {
        try withListener { listener, _ in
            let cases: [(String, Int)] = [
                ("NOT A REQUEST\r\n\r\n", 400),
                ("GET / HTTP/2.0\r\n\r\n", 505),
                ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400),
                ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
                ("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
                ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
            ]
            for (request, status) in cases {
                let answer = try ListenerClient.exchange(listener.address, request)
                #expect(ListenerClient.status(answer) == status, "\(request)")
            }
        }
    }

    @Test func aStaleSocketIsReplacedButOtherFilesAndLiveSocketsAreNot() throws {
        let folder = try TemporaryDirectory(prefix: "listener")
        defer { folder.remove() }
        let path = folder.path + "/l.sock"
        let first = try HTTPListener(address: .unix(path: path), handler: Self.echo)
        #expect(throws: HTTPListenerError.self) { _ = try HTTPListener(address: .unix(path: path), handler: Self.echo) }
        first.stop()
        // A socket file nobody listens on, as a killed watch leaves it.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        _ = withUnsafePointer(to: &sun) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        let second = try HTTPListener(address: .unix(path: path), handler: Self.echo)
        #expect(try ListenerClient.status(ListenerClient.exchange(second.address, "GET / HTTP/1.1\r\n\r\n")) == 200)
        second.stop()
        try "not a socket".write(toFile: path, atomically: false, encoding: .utf8)
        let refusal = #expect(throws: HTTPListenerError.self) { _ = try HTTPListener(address: .unix(path: path), handler: Self.echo) }
        #expect(refusal?.description.contains("exists and is not a socket") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not a socket")
    }
}

@Suite struct ListenAddressTests {
    @Test func parsesTheFormsAndTellsLoopback() throws {
        #expect(try ListenAddress(parsing: "127.0.0.1:9180") == .tcp(host: "127.0.0.1", port: 9180))
        #expect(try ListenAddress(parsing: "localhost:9180") == .tcp(host: "127.0.0.1", port: 9180))
        #expect(try ListenAddress(parsing: "[::1]:9180") == .tcp(host: "::1", port: 9180))
        #expect(try ListenAddress(parsing: "unix:///run/b.sock") == .unix(path: "/run/b.sock"))
        #expect(try ListenAddress(parsing: "127.0.0.1:9180").isLoopback)
        #expect(try ListenAddress(parsing: "[::1]:9180").isLoopback)
        #expect(try ListenAddress(parsing: "unix:///run/b.sock").isLoopback)
        #expect(try !ListenAddress(parsing: "0.0.0.0:9180").isLoopback)
        #expect(try !ListenAddress(parsing: "[::]:9180").isLoopback)
        #expect(try !ListenAddress(parsing: "192.168.1.5:9180").isLoopback)
        #expect(try ListenAddress(parsing: "[::1]:9180").description == "http://[::1]:9180")
    }

    @Test func refusesWhatCannotBeBound() {
        for text in ["9180", "example.com:9180", "127.0.0.1:99999", "127.0.0.1:", "unix://relative.sock", "[::1]9180"] {
            #expect(throws: HTTPListenerError.self, "\(text)") { _ = try ListenAddress(parsing: text) }
        }
    }
}
