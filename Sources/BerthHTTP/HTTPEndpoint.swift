/// Where an HTTP server listens: a Unix socket, a TCP host and port, TLS over TCP, or a
/// Docker Engine behind ssh.
public enum HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)
    /// HTTPS: TLS 1.2 or later over TCP, the server checked and the client identified by `settings`.
    case tls(host: String, port: Int, settings: TLSSettings)
    /// HTTP/1.1 over the stdin and stdout of `ssh … docker system dial-stdio`, as the docker
    /// CLI does for ssh://. Connections are kept alive: an `HTTPClient` reuses an idle ssh child.
    case ssh(SSHDestination)

    /// The longest Unix socket path the kernel accepts: `sun_path` holds 108 bytes
    /// including the terminating NUL.
    public static let maximumUnixPathLength = 107

    /// Parses "unix:///var/run/docker.sock", "tcp://127.0.0.1:2375", "http://host:port",
    /// "https://host:port" (default `TLSSettings`: system CAs, no client certificate) or
    /// "ssh://user@host:port" (see `SSHDestination.init(parsing:)`).
    /// A missing port means 2375 for tcp (Docker's convention), 80 for http and 443 for https.
    /// Errors name the input.
    public init(parsing url: String) throws(HTTPError) {
        func invalid(_ detail: String) -> HTTPError {
            HTTPError(.invalidEndpoint, endpoint: "'\(url)'", detail: detail)
        }
        if url.hasPrefix("unix://") {
            let path = String(url.dropFirst("unix://".count))
            if path.isEmpty { throw invalid("no socket path after unix://") }
            if path.utf8.count > HTTPEndpoint.maximumUnixPathLength {
                throw invalid(HTTPEndpoint.tooLongDetail(path))
            }
            self = .unix(path: path)
            return
        }
        if url.hasPrefix("ssh://") {
            self = .ssh(try SSHDestination(parsing: url))
            return
        }
        let rest: Substring
        let defaultPort: Int
        var secure = false
        if url.hasPrefix("https://") {
            rest = url.dropFirst("https://".count)
            defaultPort = 443
            secure = true
        } else if url.hasPrefix("tcp://") {
            rest = url.dropFirst("tcp://".count)
            defaultPort = 2375
        } else if url.hasPrefix("http://") {
            rest = url.dropFirst("http://".count)
            defaultPort = 80
        } else {
            throw invalid("expected unix://PATH, tcp://HOST:PORT, http://HOST:PORT, https://HOST:PORT or ssh://[USER@]HOST[:PORT]")
        }
        // A trailing slash is common in copied URLs; any other path has no meaning here.
        var authority = rest
        if let slash = authority.firstIndex(of: "/") {
            if authority[slash...] != "/" { throw invalid("a path is not allowed after the host and port") }
            authority = authority[..<slash]
        }
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("unterminated IPv6 address") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        if host.isEmpty { throw invalid("no host") }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw invalid("port '\(portText)' is not a number from 1 to 65535")
            }
            port = value
        }
        self = secure ? .tls(host: String(host), port: port, settings: TLSSettings()) : .tcp(host: String(host), port: port)
    }

    /// The URL form, which `init(parsing:)` reads back: "unix:///x.sock", "tcp://h:2375",
    /// "https://h:6443" (TLS settings are not part of it).
    public var description: String {
        switch self {
        case .unix(let path):
            return "unix://\(path)"
        case .tcp:
            return "tcp://\(hostHeader)"
        case .tls:
            return "https://\(hostHeader)"
        case .ssh(let destination):
            return destination.description
        }
    }

    /// Whether connections stay open between requests (HTTP keep-alive). Only for ssh, where
    /// opening one means a new ssh login; elsewhere each request has its own connection.
    var keepsConnections: Bool {
        if case .ssh = self { return true }
        return false
    }

    /// The value of the Host header. Docker ignores it on a Unix socket but HTTP/1.1 requires one.
    var hostHeader: String {
        switch self {
        case .unix, .ssh: return "localhost"
        case .tcp(let host, let port), .tls(let host, let port, _):
            return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    static func tooLongDetail(_ path: String) -> String {
        "socket path \(path) is \(path.utf8.count) bytes, longer than the \(maximumUnixPathLength) a Unix socket address holds"
    }
}
