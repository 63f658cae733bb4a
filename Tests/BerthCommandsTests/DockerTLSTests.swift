import BerthCommands
import BerthHTTP
import BerthModel
import Foundation
import Testing

@Suite struct DockerTLSTests {
    /// A DOCKER_CERT_PATH folder holding `files` (name to contents), removed by the caller.
    private func certFolder(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("berth-docker-certs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    @Test func withoutTLSVerifyTheHostIsUsedAsGiven() throws {
        let tls = DockerTLS(environment: ["DOCKER_CERT_PATH": "/nonexistent"])
        #expect(!tls.verify)
        #expect(try tls.endpoint(host: "tcp://10.1.2.3:2376") == .tcp(host: "10.1.2.3", port: 2376))
        let empty = DockerTLS(environment: ["DOCKER_TLS_VERIFY": ""])
        #expect(try empty.endpoint(host: "tcp://10.1.2.3:2375") == .tcp(host: "10.1.2.3", port: 2375))
    }

    @Test func tlsVerifyTurnsATCPHostIntoTLSWithTheCertPathFiles() throws {
        let folder = try certFolder(["ca.pem": "CA", "cert.pem": "CERT", "key.pem": "KEY"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tls = DockerTLS(environment: ["DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": folder])
        let expected = TLSSettings(caPEM: Array("CA".utf8), clientCertificatePEM: Array("CERT".utf8), clientKeyPEM: Array("KEY".utf8))
        #expect(try tls.endpoint(host: "tcp://10.1.2.3:2376") == .tls(host: "10.1.2.3", port: 2376, settings: expected))
        // As the docker CLI: no port means the engine's TLS port.
        #expect(try tls.endpoint(host: "tcp://docker.example") == .tls(host: "docker.example", port: 2376, settings: expected))
        #expect(try tls.endpoint(host: "tcp://[fd00::1]") == .tls(host: "fd00::1", port: 2376, settings: expected))
        // A Unix socket never uses TLS.
        #expect(try tls.endpoint(host: "unix:///var/run/docker.sock") == .unix(path: "/var/run/docker.sock"))
    }

    @Test func certPathDefaultsToHomeDockerAndMissingFilesAreLeftOut() throws {
        let home = try certFolder([:])
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/.docker", withIntermediateDirectories: true)
        try "CA".write(toFile: home + "/.docker/ca.pem", atomically: true, encoding: .utf8)
        let tls = DockerTLS(environment: ["DOCKER_TLS_VERIFY": "1", "HOME": home])
        #expect(tls.certPath == home + "/.docker")
        #expect(try tls.endpoint(host: "tcp://127.0.0.1:2376") == .tls(host: "127.0.0.1", port: 2376, settings: TLSSettings(caPEM: Array("CA".utf8))))
    }

    @Test func settingsUseTheEnvironmentsTLSChoice() throws {
        let folder = try certFolder(["ca.pem": "CA"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let arguments = try Arguments.parse(["plan"], options: Settings.globalOptions)
        let settings = try Settings(arguments: arguments, environment: [
            "DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": folder,
        ])
        #expect(try settings.endpoint() == .tls(host: "127.0.0.1", port: 2376, settings: TLSSettings(caPEM: Array("CA".utf8))))
        let bad = try Settings(arguments: arguments, environment: ["DOCKER_HOST": "ftp://x"])
        #expect(throws: BerthError.self) { try bad.endpoint() }
    }
}
