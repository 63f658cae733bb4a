import BerthSystem
import FoundationEssentials
import BerthModel

/// Everything needed to talk to one Kubernetes API server, as plain values: where it is,
/// how to trust it, how to prove who berth is, and which namespace to work in.
///
/// Produced by `KubeconfigLoader` (from kubeconfig files or in-cluster service-account
/// files); the Kubernetes adapter turns it into a transport. PEM material is held as the
/// bytes of the PEM text, whether it came from a file or from a base64 `*-data` field.
///
/// `description` never contains a secret: it is safe to log.
public struct KubeConnectionSettings: Sendable, Equatable, CustomStringConvertible {
    /// The API server's address, split the way a transport needs it.
    public struct Server: Sendable, Equatable, CustomStringConvertible {
        /// "https" or "http".
        public var scheme: String
        /// A host name or an IP address; IPv6 without brackets.
        public var host: String
        /// The port, defaulted from the scheme (443, 80) when the URL has none.
        public var port: Int
        /// A path the API is served under (behind some proxies), without a trailing
        /// slash; "" when the API is at the root.
        public var pathPrefix: String

        /// Creates a server address from its parts.
        public init(scheme: String, host: String, port: Int, pathPrefix: String = "") {
            self.scheme = scheme; self.host = host; self.port = port; self.pathPrefix = pathPrefix
        }

        /// True for https, the only scheme that carries the TLS settings.
        public var usesTLS: Bool { scheme == "https" }

        /// The URL form: "https://10.0.0.1:6443", "https://[::1]:6443/prefix".
        public var description: String {
            let bracketed = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(bracketed):\(port)\(pathPrefix)"
        }
    }

    /// The API server.
    public var server: Server
    /// The certificate authorities to trust, PEM bytes; nil means the system's roots.
    public var caPEM: [UInt8]?
    /// The client certificate, PEM bytes, when the user authenticates with one.
    public var clientCertificatePEM: [UInt8]?
    /// The client certificate's private key, PEM bytes.
    public var clientKeyPEM: [UInt8]?
    /// The bearer token as read when the settings were loaded.
    public var token: String?
    /// Where the token came from, when it came from a file: service-account tokens are
    /// rotated on disk, so long-running callers re-read it (`currentToken()`).
    public var tokenFile: String?
    /// Skip verifying the server's certificate (`insecure-skip-tls-verify`).
    public var insecureSkipVerify: Bool
    /// The name to verify the server's certificate against, when it differs from the host
    /// (`tls-server-name`).
    public var tlsServerName: String?
    /// The namespace to work in: the context's, or "default".
    public var namespace: String
    /// Who berth is talking as, for 401 and 403 messages: context, user and kind of
    /// credential, never the secret, e.g.
    /// `user "admin" of context "kind-dev" (client certificate from /root/.kube/config)`.
    public var credentialsDescription: String

    /// Creates settings from their parts; the loader is the usual source.
    public init(server: Server, caPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
                token: String? = nil, tokenFile: String? = nil, insecureSkipVerify: Bool = false,
                tlsServerName: String? = nil, namespace: String = "default", credentialsDescription: String) {
        self.server = server
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.token = token
        self.tokenFile = tokenFile
        self.insecureSkipVerify = insecureSkipVerify
        self.tlsServerName = tlsServerName
        self.namespace = namespace
        self.credentialsDescription = credentialsDescription
    }

    /// The token to send now: the token file read again when there is one (falling back to
    /// the token read at load time if the file has gone), else the inline token.
    public func currentToken() -> String? {
        guard let tokenFile, let data = FileManager.default.contents(atPath: tokenFile),
              let text = String(data: data, encoding: .utf8) else { return token }
        let trimmed = text.trimmingWhitespaceAndNewlines()
        return trimmed.isEmpty ? token : trimmed
    }

    /// A one-line summary without secrets: server, namespace and credentials.
    public var description: String {
        var parts = ["server \(server)", "namespace \"\(namespace)\"", credentialsDescription]
        if insecureSkipVerify { parts.append("TLS verification off") }
        return parts.joined(separator: ", ")
    }
}

extension KubeConnectionSettings.Server {
    /// Parses a kubeconfig `server` value the way client-go does: a URL with an http or
    /// https scheme, or a bare "host:port", which means https.
    ///
    /// - Parameter origin: names the value in errors, e.g. `FILE: clusters[0].cluster.server`.
    public init(parsing text: String, origin: String) throws(BerthError) {
        func invalid(_ detail: String) -> BerthError {
            BerthError(.usage, "\(origin): server \"\(text)\" \(detail)")
        }
        // Checked first and never echoed: "https://user:password@host" carries a secret.
        if text.contains("@") {
            throw BerthError(.usage, "\(origin): server has user information; put credentials under users instead")
        }
        var rest = Substring(text.trimmingWhitespace())
        var scheme = "https"
        if let separator = rest.firstRange(of: "://") {
            scheme = rest[..<separator.lowerBound].lowercased()
            rest = rest[separator.upperBound...]
        }
        guard scheme == "https" || scheme == "http" else { throw invalid("has scheme \"\(scheme)\"; expected https or http") }
        var pathPrefix = ""
        if let slash = rest.firstIndex(of: "/") {
            pathPrefix = String(rest[slash...])
            while pathPrefix.hasSuffix("/") { pathPrefix.removeLast() }
            rest = rest[..<slash]
        }
        var host = rest
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("has an unterminated IPv6 address") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("has unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { throw invalid("has no host") }
        var port = scheme == "https" ? 443 : 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("has port \"\(portText)\"; expected a number from 1 to 65535")
            }
            port = value
        }
        self.init(scheme: scheme, host: String(host), port: port, pathPrefix: pathPrefix)
    }
}
