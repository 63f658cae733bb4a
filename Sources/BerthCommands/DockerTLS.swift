import BerthHTTP
import BerthModel
import BerthSystem
import FoundationEssentials

/// The engine address the docker CLI would use for the same environment: DOCKER_HOST as
/// given, and with DOCKER_TLS_VERIFY set (to anything non-empty, as the CLI reads it) a
/// tcp:// or https:// host becomes TLS, verified with `ca.pem` and identified by `cert.pem`
/// and `key.pem` from DOCKER_CERT_PATH (default `~/.docker`). As in the CLI, a file that
/// is not there is left out: no ca.pem means the system's CAs, no cert.pem and key.pem no
/// client certificate.
///
/// DOCKER_TLS (non-empty) without DOCKER_TLS_VERIFY is the CLI's `--tls`: TLS, with the client
/// certificate when there is one, but the engine's certificate not verified (berth warns).
public struct DockerTLS: Sendable, Equatable {
    /// Whether DOCKER_TLS_VERIFY asks for TLS.
    public var verify: Bool
    /// Whether DOCKER_TLS asks for TLS without verification.
    public var unverified: Bool
    /// The folder holding ca.pem, cert.pem and key.pem.
    public var certPath: String

    /// The engine's TLS port, which the CLI uses when a TLS host names no port.
    static let defaultTLSPort = 2376

    /// Reads DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and HOME from `environment`.
    public init(environment: [String: String]) {
        verify = !(environment["DOCKER_TLS_VERIFY"] ?? "").isEmpty
        unverified = !verify && !(environment["DOCKER_TLS"] ?? "").isEmpty
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? FileManager.default.homeDirectoryForCurrentUser.path
        certPath = environment["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.docker"
    }

    /// The endpoint for `host` (unix://, tcp://, http://, https://). Unix sockets never use TLS.
    public func endpoint(host: String) throws -> HTTPEndpoint {
        let parsed: HTTPEndpoint
        do { parsed = try HTTPEndpoint(parsing: host) } catch {
            // The parser's own line never repeats an ssh:// password; the host as given might.
            if host.hasPrefix("ssh://") { throw BerthError(.usage, "docker host: \(error)") }
            throw BerthError(.usage, "docker host \"\(host)\" is not unix:///path, tcp://host:port, https://host:port or ssh://user@host[:port]")
        }
        guard verify || unverified else { return parsed }
        let address: (host: String, port: Int)
        switch parsed {
        case .unix, .ssh: return parsed
        case .tcp(let name, let port), .tls(let name, let port, _):
            address = (name, DockerTLS.namesPort(host) ? port : DockerTLS.defaultTLSPort)
        }
        func pem(_ name: String) throws -> [UInt8]? {
            let path = certPath + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            do { return try FileSystem.readFile(path) } catch {
                throw BerthError(.io, "\(verify ? "DOCKER_TLS_VERIFY" : "DOCKER_TLS") is set but \(path) cannot be read", cause: (error as? SystemError)?.reason ?? "\(error)")
            }
        }
        let settings = TLSSettings(caPEM: verify ? try pem("ca.pem") : nil, clientCertificatePEM: try pem("cert.pem"),
                                   clientKeyPEM: try pem("key.pem"), insecureSkipVerify: !verify)
        return .tls(host: address.host, port: address.port, settings: settings)
    }

    /// Whether the URL's authority carries a port ("tcp://h:2376", "tcp://[::1]:2376").
    static func namesPort(_ url: String) -> Bool {
        guard let scheme = url.firstRange(of: "://") else { return false }
        var authority = url[scheme.upperBound...]
        if let slash = authority.firstIndex(of: "/") { authority = authority[..<slash] }
        if authority.hasPrefix("[") { return authority.contains("]:") }
        return authority.contains(":")
    }
}
