import BerthHTTP
import BerthModel
import FoundationEssentials

extension DockerTLS {
    /// A Docker Engine behind TLS with its own files, for one target among many (where
    /// DOCKER_CERT_PATH, one folder for the whole process, does not fit): the engine is
    /// verified against `ca` (nil: the system's CAs) and berth identified by `cert` and `key`
    /// (both or neither). `host` is "tcp://HOST[:PORT]", "https://HOST[:PORT]" or "HOST[:PORT]";
    /// a missing port means 2376, the engine's TLS port.
    ///
    /// - Throws: `BerthError` naming the file that is missing, unreadable or not PEM, or the
    ///   host that is not a TCP address.
    public static func endpoint(host: String, ca: String?, cert: String?, key: String?) throws -> HTTPEndpoint {
        let url = host.contains("://") ? host : "tcp://" + host
        guard url.hasPrefix("tcp://") || url.hasPrefix("https://") else {
            throw BerthError(.usage, "TLS files apply to tcp:// and https:// engines, not \(HTTPEndpoint.safeText(url))")
        }
        let parsed: HTTPEndpoint
        do { parsed = try HTTPEndpoint(parsing: url) } catch {
            throw BerthError(.usage, "docker host \"\(host)\" is not tcp://HOST[:PORT] or https://HOST[:PORT]", cause: error.detail)
        }
        guard case .tcp(let name, let port) = parsed.withoutTLS else {
            throw BerthError(.usage, "docker host \"\(host)\" is not tcp://HOST[:PORT] or https://HOST[:PORT]")
        }
        if (cert == nil) != (key == nil) {
            throw BerthError(.usage, "TLS for \(host): \(cert == nil ? "key \(key!) is given without a cert" : "cert \(cert!) is given without a key") (give both, or neither)")
        }
        func pem(_ path: String?, _ role: String) throws -> [UInt8]? {
            guard let path else { return nil }
            let bytes: [UInt8]
            do { bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
                let reason = FileManager.default.fileExists(atPath: path) ? "it cannot be read" : "it does not exist"
                throw BerthError(.io, "the TLS \(role) file \(path) for \(host) cannot be used: \(reason)")
            }
            guard String(decoding: bytes.prefix(64 * 1024), as: UTF8.self).contains("-----BEGIN ") else {
                throw BerthError(.usage, "the TLS \(role) file \(path) for \(host) is not PEM (no -----BEGIN line)")
            }
            return bytes
        }
        let settings = TLSSettings(caPEM: try pem(ca, "CA"), clientCertificatePEM: try pem(cert, "certificate"),
                                   clientKeyPEM: try pem(key, "key"))
        return .tls(host: name, port: namesPort(url) ? port : defaultTLSPort, settings: settings)
    }
}

extension HTTPEndpoint {
    /// The same address as plain TCP (a TLS endpoint's host and port).
    fileprivate var withoutTLS: HTTPEndpoint {
        if case .tls(let host, let port, _) = self { return .tcp(host: host, port: port) }
        return self
    }

    /// A URL as shown in a message: an ssh:// password, if any, hidden.
    fileprivate static func safeText(_ url: String) -> String {
        guard url.hasPrefix("ssh://"), let at = url.lastIndex(of: "@") else { return url }
        let user = url[url.index(url.startIndex, offsetBy: 6)..<at]
        guard let colon = user.firstIndex(of: ":") else { return url }
        return "ssh://" + user[..<colon] + ":***" + url[at...]
    }
}
