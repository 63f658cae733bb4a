@testable import BerthCommands
import BerthHTTP
import BerthKube
import BerthModel
import Foundation
import Testing

/// A bearer token never crosses the network in clear text; insecure modes are said once each;
/// DOCKER_TLS=1 means TLS without verification, as for the docker CLI.
struct TransportTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ line: String) { lock.withLock { lines.append(line) } }
        var all: [String] { lock.withLock { lines } }
    }

    static func kubeconfig(server: String, insecure: Bool = false) throws -> (path: String, remove: () -> Void) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-kubeconfig-\(UUID().uuidString)").path
        try """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: \(server)
        \(insecure ? "    insecure-skip-tls-verify: true" : "")
        users:
        - name: u
          user:
            token: abc123
        contexts:
        - name: x
          context:
            cluster: c
            user: u
        current-context: x
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, { try? FileManager.default.removeItem(atPath: path) })
    }

    static func settings(kubeconfig: String? = nil, environment: [String: String] = [:], lines: Lines) throws -> Settings {
        var argv = ["plan"]
        if let kubeconfig { argv += ["--kubeconfig", kubeconfig] }
        var settings = try Settings(arguments: try Arguments.parse(argv, options: Settings.globalOptions), environment: environment)
        settings.transportWarnings = TransportWarnings(emit: { lines.add($0) })
        return settings
    }

    @Test func tokenOverPlainHTTPToAnotherMachineIsRefused() async throws {
        let config = try Self.kubeconfig(server: "http://10.0.0.1:8080"); defer { config.remove() }
        let settings = try Self.settings(kubeconfig: config.path, lines: Lines())
        await #expect(throws: BerthError.self) { _ = try await KubeConnector.connect(settings.implicitKubeTarget) }
        do { _ = try await KubeConnector.connect(settings.implicitKubeTarget) } catch {
            #expect("\(error)".hasPrefix("refusing to send the bearer token of user \"u\" of context \"x\""))
            #expect("\(error)".contains("to http://10.0.0.1:8080 over plain http://: anyone on the network path could read it; use an https:// server"))
            #expect(!"\(error)".contains("abc123"))
        }
    }

    @Test func tokenOverPlainHTTPToLoopbackIsAllowed() async throws {
        let config = try Self.kubeconfig(server: "http://127.0.0.1:8080"); defer { config.remove() }
        let lines = Lines()
        let connector = try await KubeConnector.connect(try Self.settings(kubeconfig: config.path, lines: lines).implicitKubeTarget)
        await connector.stop()
        #expect(lines.all.isEmpty)
    }

    @Test func plainHTTPToAnotherMachineWithoutATokenIsWarnedAbout() async throws {
        let config = try Self.kubeconfig(server: "http://10.0.0.1:8080"); defer { config.remove() }
        let text = try String(contentsOfFile: config.path, encoding: .utf8).replacingOccurrences(of: "    token: abc123", with: "    username: ignored")
        try text.replacingOccurrences(of: "  user:\n    username: ignored", with: "  user: {}").write(toFile: config.path, atomically: true, encoding: .utf8)
        let lines = Lines()
        await (try await KubeConnector.connect(try Self.settings(kubeconfig: config.path, lines: lines).implicitKubeTarget)).stop()
        #expect(lines.all == ["berth: warning: the Kubernetes API server at http://10.0.0.1:8080 is reached without TLS: Secrets and everything berth applies cross the network in clear text; use an https:// server"])
    }

    @Test func skippedTLSVerificationIsSaidOnce() async throws {
        let config = try Self.kubeconfig(server: "https://10.0.0.1:6443", insecure: true); defer { config.remove() }
        let lines = Lines()
        let settings = try Self.settings(kubeconfig: config.path, lines: lines)
        for _ in 0..<2 { await (try await KubeConnector.connect(settings.implicitKubeTarget)).stop() }
        #expect(lines.all == ["berth: warning: the Kubernetes API server's certificate at https://10.0.0.1:6443 is not verified (insecure-skip-tls-verify): anyone on the network path can pose as it and read the credentials berth sends; set certificate-authority instead"])
    }

    @Test func plainTCPEngineIsSaidOnceUnlessLoopback() throws {
        let lines = Lines()
        let remote = try Self.settings(environment: ["DOCKER_HOST": "tcp://10.1.2.3:2375"], lines: lines)
        _ = try remote.endpoint(); _ = try remote.endpoint()
        #expect(lines.all == ["berth: warning: the Docker Engine at tcp://10.1.2.3:2375 is reached without TLS: registry credentials and secret env values cross the network in clear text; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH"])
        let local = Lines()
        _ = try Self.settings(environment: ["DOCKER_HOST": "tcp://127.0.0.1:2375"], lines: local).endpoint()
        _ = try Self.settings(environment: ["DOCKER_HOST": "unix:///var/run/docker.sock"], lines: local).endpoint()
        #expect(local.all.isEmpty)
    }

    @Test func dockerTLSMeansTLSWithoutVerification() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-docker-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["ca.pem", "cert.pem", "key.pem"] { try name.uppercased().write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        let lines = Lines()
        let settings = try Self.settings(environment: ["DOCKER_HOST": "tcp://docker.example", "DOCKER_TLS": "1", "DOCKER_CERT_PATH": folder], lines: lines)
        let expected = TLSSettings(clientCertificatePEM: Array("CERT.PEM".utf8), clientKeyPEM: Array("KEY.PEM".utf8), insecureSkipVerify: true)
        #expect(try settings.endpoint() == .tls(host: "docker.example", port: 2376, settings: expected))
        #expect(lines.all == ["berth: warning: the Docker Engine's certificate at tcp://docker.example is not verified (DOCKER_TLS without DOCKER_TLS_VERIFY): anyone on the network path can pose as the engine; set DOCKER_TLS_VERIFY=1"])
        // DOCKER_TLS_VERIFY wins, as in the CLI.
        let verified = try Self.settings(environment: ["DOCKER_HOST": "tcp://docker.example", "DOCKER_TLS": "1", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": folder], lines: Lines())
        #expect(try verified.endpoint() == .tls(host: "docker.example", port: 2376, settings: TLSSettings(
            caPEM: Array("CA.PEM".utf8), clientCertificatePEM: Array("CERT.PEM".utf8), clientKeyPEM: Array("KEY.PEM".utf8))))
    }
}
