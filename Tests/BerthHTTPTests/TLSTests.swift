import BerthHTTP
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// Runs `body` against a fresh server whose TCP side speaks TLS as `identity`.
private func withTLSServer<T>(
    _ identity: TLSServerIdentity,
    answersBeforeBody: Bool = false,
    storesBodies: Bool = true,
    _ handler: @escaping UnixHTTPTestServer.Handler,
    _ body: (UnixHTTPTestServer) async throws -> T
) async throws -> T {
    let server = try UnixHTTPTestServer(tcp: true, storesBodies: storesBodies, answersBeforeBody: answersBeforeBody,
                                        tls: identity, handler: handler)
    try server.start()
    defer { server.stop() }
    return try await body(server)
}

private func client(_ server: UnixHTTPTestServer, _ settings: TLSSettings, host: String = "127.0.0.1") throws -> HTTPClient {
    HTTPClient(endpoint: try #require(server.tlsEndpoint(host: host, settings: settings)), timeout: .seconds(30))
}

@Suite struct TLSTests {
    let certificates: TestCertificates
    init() throws { certificates = try TestCertificates.shared() }

    var trusting: TLSSettings { TLSSettings(caPEM: certificates.caPEM) }

    @Test func getSucceedsWithTheGivenCA() async throws {
        try await withTLSServer(certificates.serverIdentity(), { _ in .json(#"{"major":"1","minor":"31"}"#) }) { server in
            let response = try await client(server, trusting).send(HTTPRequest(method: "GET", path: "/version"))
            #expect(response.status == 200)
            #expect(response.bodyText == #"{"major":"1","minor":"31"}"#)
            let port = try #require(server.tcpEndpoint.map { "\($0)".split(separator: ":").last.map(String.init) } ?? nil)
            #expect(server.requests.first?.header("host") == "127.0.0.1:\(port)")
        }
    }

    @Test func aDNSNameIsCheckedWhenConnectingByName() async throws {
        try await withTLSServer(certificates.serverIdentity(), { _ in .text("ok") }) { server in
            let byName = try await client(server, trusting, host: "localhost").send(HTTPRequest(method: "GET", path: "/"))
            #expect(byName.bodyText == "ok")
            var named = trusting
            named.serverName = "localhost"
            let overridden = try await client(server, named).send(HTTPRequest(method: "GET", path: "/"))
            #expect(overridden.bodyText == "ok")
        }
    }

    @Test func aChainThroughAnIntermediateIsTrustedFromTheRootOrTheIntermediate() async throws {
        let identity = TLSServerIdentity(certificatePEM: certificates.chainedServerCertificatePEM,
                                         keyPEM: certificates.chainedServerKeyPEM)
        try await withTLSServer(identity, { _ in .text("ok") }) { server in
            let fromRoot = try await client(server, trusting).send(HTTPRequest(method: "GET", path: "/"))
            #expect(fromRoot.bodyText == "ok")
            // As with kubectl and docker, a given CA is trusted even when it is not self-signed.
            let fromIntermediate = try await client(server, TLSSettings(caPEM: certificates.intermediateCAPEM))
                .send(HTTPRequest(method: "GET", path: "/"))
            #expect(fromIntermediate.bodyText == "ok")
        }
    }

    @Test func chunkedResponseIsReassembled() async throws {
        let chunks = ["first ", "second ", String(repeating: "x", count: 70_000)].map { HTTPServerChunk($0) }
        try await withTLSServer(certificates.serverIdentity(), { _ in .chunked(status: 200, chunks: chunks) }) { server in
            let response = try await client(server, trusting).send(HTTPRequest(method: "GET", path: "/logs"))
            #expect(response.bodyText == "first second " + String(repeating: "x", count: 70_000))
        }
    }

    @Test func streamDeliversLinesWhileTheServerIsStillSending() async throws {
        let gate = HTTPTestGate(timeout: hangGuard)
        defer { gate.open() }
        let chunks = [HTTPServerChunk("{\"type\":\"ADDED\"}\n"), HTTPServerChunk("{\"type\":\"DELETED\"}\n", after: gate)]
        try await withTLSServer(certificates.serverIdentity(), { _ in .chunked(status: 200, chunks: chunks) }) { server in
            let stream = try await client(server, trusting).stream(HTTPRequest(method: "GET", path: "/api/v1/pods?watch=1"))
            var lines = stream.lines.makeAsyncIterator()
            #expect(try await lines.next()?.text == #"{"type":"ADDED"}"#)
            #expect(!gate.timedOut)
            gate.open()
            #expect(try await lines.next()?.text == #"{"type":"DELETED"}"#)
            #expect(try await lines.next() == nil)
        }
    }

    @Test func cancellingAStreamClosesItPromptly() async throws {
        // "two" is held until the test is done: a pause of any length could be outlasted
        let held = HTTPTestGate(timeout: hangGuard)
        let chunks = [HTTPServerChunk("one\n"), HTTPServerChunk("two\n", after: held)]
        try await withTLSServer(certificates.serverIdentity(), { _ in .chunked(status: 200, chunks: chunks) }) { server in
            defer { held.open() }
            let stream = try await client(server, trusting).stream(HTTPRequest(method: "GET", path: "/events"))
            var lines = stream.lines.makeAsyncIterator()
            #expect(try await lines.next()?.text == "one")
            let start = ContinuousClock.now
            stream.cancel()
            #expect(try await lines.next() == nil)
            #expect(ContinuousClock.now - start < hangGuard)
        }
    }

    @Test func streamedUploadArrivesIntact() async throws {
        let piece = (0..<(256 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var expected = HTTPTestChecksum()
        for _ in 0..<16 { expected.update(piece) }
        try await withTLSServer(certificates.serverIdentity(), storesBodies: false, { request in
            .json(#"{"stored":true}"#, status: request.bodyComplete ? 200 : 500)
        }) { server in
            let request = HTTPRequest(method: "POST", path: "/build", streaming: .producer { write in
                for _ in 0..<16 { try write(piece[...]) }
            })
            let response = try await client(server, trusting).send(request)
            #expect(response.status == 200)
            let received = try #require(server.requests.first)
            #expect(received.bodyCount == 16 * piece.count)
            #expect(received.bodyChecksum == expected.value)
            #expect(received.chunkCount == 16)
        }
    }

    @Test func earlyAnswerDuringAnUploadIsReturnedOrAClearReset() async throws {
        try await withTLSServer(certificates.serverIdentity(), answersBeforeBody: true, { _ in
            .json(#"{"message":"invalid tar header"}"#, status: 400)
        }) { server in
            let piece = [UInt8](repeating: 0x61, count: 64 * 1024)
            let request = HTTPRequest(method: "POST", path: "/build", streaming: .producer { write in
                for _ in 0..<1024 { try write(piece[...]) }
            })
            let start = ContinuousClock.now
            let client = try client(server, trusting)
            switch await Task(operation: { try await client.send(request) }).result {
            case .success(let response):
                #expect(response.status == 400)
                #expect(response.bodyText == #"{"message":"invalid tar header"}"#)
            case .failure(let error):
                // As over plain TCP, the server's reset may discard its answer on the way in.
                #expect((error as? HTTPError)?.kind == .reset)
                #expect((error as? HTTPError)?.detail.contains("request") == true)
            }
            #expect(ContinuousClock.now - start < hangGuard)
        }
    }

    @Test func anUnrelatedCAIsRefused() async throws {
        try await withTLSServer(certificates.serverIdentity(), { _ in .text("secret") }) { server in
            let error = await httpError {
                try await client(server, TLSSettings(caPEM: certificates.otherCAPEM)).send(HTTPRequest(method: "GET", path: "/"))
            }
            let port = try #require(error?.endpoint.split(separator: ":").last)
            #expect(error?.kind == .tls)
            #expect(error?.isTransient == false)
            #expect(error?.description == "TLS handshake with 127.0.0.1:\(port) failed: the server's certificate is not "
                + "signed by the given CA (certificate verify failed: unable to get local issuer certificate)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func aCertificateForAnotherNameIsRefused() async throws {
        var settings = trusting
        settings.serverName = "other.example"
        try await withTLSServer(certificates.serverIdentity(), { _ in .text("secret") }) { server in
            let error = await httpError { try await client(server, settings).send(HTTPRequest(method: "GET", path: "/")) }
            #expect(error?.kind == .tls)
            #expect(error?.isTransient == false)
            #expect(error?.detail == #"the server's certificate is for "127.0.0.1", "localhost", not "other.example" "#
                + "(certificate verify failed: hostname mismatch)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
        let settings = TLSSettings(caPEM: certificates.otherCAPEM, insecureSkipVerify: true, serverName: "other.example")
        try await withTLSServer(certificates.serverIdentity(), { _ in .text("ok") }) { server in
            let response = try await client(server, settings).send(HTTPRequest(method: "GET", path: "/"))
            #expect(response.bodyText == "ok")
        }
    }

    @Test(arguments: [false, true]) func aServerRequiringClientCertificatesAcceptsOurs(onlyTLS12: Bool) async throws {
        let settings = TLSSettings(caPEM: certificates.caPEM, clientCertificatePEM: certificates.clientCertificatePEM,
                                   clientKeyPEM: certificates.clientKeyPEM)
        try await withTLSServer(certificates.serverIdentity(requiringClientCertificates: true, onlyTLS12: onlyTLS12), { _ in .text("welcome") }) { server in
            let response = try await client(server, settings).send(HTTPRequest(method: "GET", path: "/api"))
            #expect(response.bodyText == "welcome")
        }
    }

    @Test(arguments: [false, true]) func aMissingClientCertificateIsNamed(onlyTLS12: Bool) async throws {
        try await withTLSServer(certificates.serverIdentity(requiringClientCertificates: true, onlyTLS12: onlyTLS12), { _ in .text("welcome") }) { server in
            let error = await httpError { try await client(server, trusting).send(HTTPRequest(method: "GET", path: "/api")) }
            #expect(error?.kind == .tls)
            #expect(error?.isTransient == false)
            // TLS 1.3 has an alert for it; in TLS 1.2 OpenSSL ends the handshake with a generic one.
            let alert = onlyTLS12 ? "sslv3 alert handshake failure" : "tlsv13 alert certificate required"
            #expect(error?.detail == "the server requires a client certificate and none was configured (\(alert))")
            #expect(server.requests.isEmpty)
        }
    }

    @Test(arguments: [false, true]) func aClientCertificateFromAnUnrelatedCAIsRefused(onlyTLS12: Bool) async throws {
        let settings = TLSSettings(caPEM: certificates.caPEM, clientCertificatePEM: certificates.otherClientCertificatePEM,
                                   clientKeyPEM: certificates.otherClientKeyPEM)
        try await withTLSServer(certificates.serverIdentity(requiringClientCertificates: true, onlyTLS12: onlyTLS12), { _ in .text("welcome") }) { server in
            let error = await httpError { try await client(server, settings).send(HTTPRequest(method: "GET", path: "/api")) }
            #expect(error?.kind == .tls)
            #expect(error?.isTransient == false)
            #expect(error?.detail == "the server refused the client certificate (tlsv1 alert unknown ca)")
            #expect(server.requests.isEmpty)
        }
    }

    @Test func aPlainHTTPServerIsNamedAsNotSpeakingTLS() async throws {
        // What a plain HTTP server (Docker on 2375) answers to a ClientHello it cannot parse.
        let listener = try PlainReplyListener(reply: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        defer { listener.close() }
        let endpoint = HTTPEndpoint.tls(host: "127.0.0.1", port: listener.port, settings: trusting)
        let error = await httpError { try await HTTPClient(endpoint: endpoint).send(HTTPRequest(method: "GET", path: "/")) }
        #expect(error?.kind == .tls)
        #expect(error?.isTransient == false)
        #expect(error?.detail == "the server does not speak TLS on this port (wrong version number)")
    }

    @Test func aServerThatNeverAnswersTheHandshakeTimesOut() async throws {
        // The plain test server waits for a request head a ClientHello never completes.
        try await withServer(tcp: true, { _ in .text("never") }) { server in
            guard case .tcp(let host, let port)? = server.tcpEndpoint else { throw HTTPError(.connect, endpoint: "", detail: "no tcp") }
            let client = HTTPClient(endpoint: .tls(host: host, port: port, settings: trusting), connectTimeout: .milliseconds(300))
            let error = await httpError { try await client.send(HTTPRequest(method: "GET", path: "/")) }
            #expect(error?.kind == .connect)
            #expect(error?.isTransient == true)
            #expect(error?.detail == "timed out after 300ms in the TLS handshake")
        }
    }

    @Test func unusableCertificateSettingsAreRefusedBeforeConnecting() async throws {
        let cases: [(TLSSettings, String)] = [
            (TLSSettings(caPEM: Array("not a certificate".utf8)), "the CA bundle holds no PEM certificate"),
            (TLSSettings(clientCertificatePEM: certificates.clientCertificatePEM), "a client certificate was given without its key"),
            (TLSSettings(clientCertificatePEM: certificates.clientCertificatePEM, clientKeyPEM: certificates.otherClientKeyPEM),
             "the client key does not belong to the client certificate"),
        ]
        for (settings, expected) in cases {
            let endpoint = HTTPEndpoint.tls(host: "127.0.0.1", port: 1, settings: settings)
            let error = await httpError { try await HTTPClient(endpoint: endpoint).send(HTTPRequest(method: "GET", path: "/")) }
            #expect(error?.kind == .invalidEndpoint)
            #expect(error?.detail.hasPrefix(expected) == true, "\(error?.detail ?? "no error")")
        }
    }
}

/// A TCP listener on 127.0.0.1 that answers its first connection with fixed bytes as soon
/// as anything arrives, then hangs up.
private final class PlainReplyListener: Sendable {
    let port: Int
    private let fd: Int32

    init(reply: String) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw HTTPError(.connect, endpoint: "127.0.0.1", detail: "cannot listen: errno \(errno)") }
        port = Int(UInt16(bigEndian: address.sin_port))
        let listening = fd
        Thread {
            let connection = accept(listening, nil, nil)
            guard connection >= 0 else { return }
            var scratch = [UInt8](repeating: 0, count: 4096)
            _ = recv(connection, &scratch, scratch.count, 0)
            _ = reply.withCString { send(connection, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            Glibc.close(connection)
        }.start()
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
