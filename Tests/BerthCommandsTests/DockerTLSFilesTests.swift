import BerthCommands
import BerthHTTP
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// Per-target TLS: an engine's CA, certificate and key given as file paths (not one
/// DOCKER_CERT_PATH for the whole process).
@Suite struct DockerTLSFilesTests {
    private func files(_ made: TestCertificates) throws -> (TemporaryDirectory, ca: String, cert: String, key: String) {
        let folder = try TemporaryDirectory(prefix: "tls-files")
        func save(_ bytes: [UInt8], _ name: String) throws -> String {
            let path = folder.path + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return path
        }
        return (folder, try save(made.caPEM, "ca.pem"), try save(made.clientCertificatePEM, "cert.pem"),
                try save(made.clientKeyPEM, "key.pem"))
    }

    @Test func theFilesMakeATLSEndpointThatAServerDemandingClientCertificatesAccepts() async throws {
        let made = try TestCertificates.shared()
        let (folder, ca, cert, key) = try files(made)
        defer { folder.remove() }
        let server = try UnixHTTPTestServer(tcp: true, tls: made.serverIdentity(requiringClientCertificates: true)) { _ in
            .json(#"{"ApiVersion":"1.43"}"#)
        }
        try server.start()
        defer { server.stop() }
        guard case .tcp(_, let port)? = server.tcpEndpoint else { Issue.record("no TCP port"); return }

        let endpoint = try DockerTLS.endpoint(host: "tcp://127.0.0.1:\(port)", ca: ca, cert: cert, key: key)
        #expect(endpoint == .tls(host: "127.0.0.1", port: port, settings: TLSSettings(
            caPEM: made.caPEM, clientCertificatePEM: made.clientCertificatePEM, clientKeyPEM: made.clientKeyPEM)))
        let response = try await HTTPClient(endpoint: endpoint).send(HTTPRequest(method: "GET", path: "/version"))
        #expect(response.status == 200)

        // Without the client certificate the same server refuses the handshake.
        let anonymous = try DockerTLS.endpoint(host: "127.0.0.1:\(port)", ca: ca, cert: nil, key: nil)
        await #expect(throws: HTTPError.self) { _ = try await HTTPClient(endpoint: anonymous).send(HTTPRequest(method: "GET", path: "/version")) }
    }

    @Test func aMissingPortMeansTheEngineTLSPortAndNoFilesMeansTheSystemCAs() throws {
        #expect(try DockerTLS.endpoint(host: "tcp://docker.example", ca: nil, cert: nil, key: nil)
            == .tls(host: "docker.example", port: 2376, settings: TLSSettings()))
        #expect(try DockerTLS.endpoint(host: "https://[fd00::1]:9443", ca: nil, cert: nil, key: nil)
            == .tls(host: "fd00::1", port: 9443, settings: TLSSettings()))
    }

    @Test func errorsNameTheFile() throws {
        let made = try TestCertificates.shared()
        let (folder, ca, cert, _) = try files(made)
        defer { folder.remove() }
        let missing = folder.path + "/nope.pem"
        try "not a certificate\n".write(toFile: folder.path + "/junk.pem", atomically: true, encoding: .utf8)
        func message(_ body: () throws -> HTTPEndpoint) -> String {
            do { _ = try body(); return "accepted" } catch { return "\(error)" }
        }
        #expect(message { try DockerTLS.endpoint(host: "tcp://h:2376", ca: missing, cert: nil, key: nil) }
            == "the TLS CA file \(missing) for tcp://h:2376 cannot be used: it does not exist")
        #expect(message { try DockerTLS.endpoint(host: "tcp://h:2376", ca: folder.path + "/junk.pem", cert: nil, key: nil) }
            == "the TLS CA file \(folder.path)/junk.pem for tcp://h:2376 is not PEM (no -----BEGIN line)")
        #expect(message { try DockerTLS.endpoint(host: "tcp://h:2376", ca: ca, cert: cert, key: nil) }
            == "TLS for tcp://h:2376: cert \(cert) is given without a key (give both, or neither)")
        #expect(message { try DockerTLS.endpoint(host: "ssh://me@h", ca: ca, cert: nil, key: nil) }
            == "TLS files apply to tcp:// and https:// engines, not ssh://me@h")
        #expect(message { try DockerTLS.endpoint(host: "unix:///var/run/docker.sock", ca: ca, cert: nil, key: nil) }
            == "TLS files apply to tcp:// and https:// engines, not unix:///var/run/docker.sock")
    }
}
