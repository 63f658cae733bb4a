/// Where an HTTP server listens: a Unix socket or a TCP host and port.
public enum HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    /// The longest Unix socket path the kernel accepts: `sun_path` holds 108 bytes
    /// including the terminating NUL.
    public static let maximumUnixPathLength = 107

    /// Parses "unix:///var/run/docker.sock", "tcp://127.0.0.1:2375" or "http://host:port".
    /// A missing port means 2375 for tcp (Docker's convention) and 80 for http. Errors name the input.
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
        let rest: Substring
        let defaultPort: Int
        if url.hasPrefix("tcp://") {
            rest = url.dropFirst("tcp://".count)
            defaultPort = 2375
        } else if url.hasPrefix("http://") {
            rest = url.dropFirst("http://".count)
            defaultPort = 80
        } else {
            throw invalid("expected unix://PATH, tcp://HOST:PORT or http://HOST:PORT")
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
        self = .tcp(host: String(host), port: port)
    }

    /// The URL form, which `init(parsing:)` reads back: "unix:///x.sock", "tcp://h:2375".
    public var description: String {
        switch self {
        case .unix(let path):
            return "unix://\(path)"
        case .tcp(let host, let port):
            return host.contains(":") ? "tcp://[\(host)]:\(port)" : "tcp://\(host):\(port)"
        }
    }

    /// The value of the Host header. Docker ignores it on a Unix socket but HTTP/1.1 requires one.
    var hostHeader: String {
        switch self {
        case .unix: return "localhost"
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    static func tooLongDetail(_ path: String) -> String {
        "socket path \(path) is \(path.utf8.count) bytes, longer than the \(maximumUnixPathLength) a Unix socket address holds"
    }
}
