import Glibc

/// Where `HTTPListener` listens: an IP address and port, or a Unix socket.
public enum ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// `host` is an IP literal ("127.0.0.1", "::1"); port 0 asks the kernel for a free one.
    case tcp(host: String, port: Int)
    case unix(path: String)

    /// Parses "127.0.0.1:9180", "[::1]:9180", "localhost:9180" (IPv4 loopback) or
    /// "unix:///run/berth.sock". Host names other than localhost are refused: a listener
    /// binds an address of this machine, and a name could resolve to several.
    public init(parsing text: String) throws(HTTPListenerError) {
        func invalid(_ why: String) -> HTTPListenerError {
            HTTPListenerError("--listen \(text): \(why)")
        }
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw invalid("expected an absolute path after unix://, as in unix:///run/berth.sock") }
            guard path.utf8.count <= HTTPEndpoint.maximumUnixPathLength else { throw invalid(HTTPEndpoint.tooLongDetail(path)) }
            self = .unix(path: path)
            return
        }
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst("http://".count) }
        let host: Substring, portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                throw invalid("expected [IPv6]:PORT, as in [::1]:9180")
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else { throw invalid("expected HOST:PORT, as in 127.0.0.1:9180, or unix:///PATH") }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw invalid("port '\(portText)' is not a number from 0 to 65535")
        }
        let address = host == "localhost" ? "127.0.0.1" : String(host)
        guard ListenAddress.family(of: address) != nil else {
            throw invalid("'\(host)' is not an IP address (give 127.0.0.1, [::1], localhost or an address of this machine)")
        }
        self = .tcp(host: address, port: port)
    }

    /// Whether only this machine can connect: 127.0.0.0/8, ::1, or a Unix socket.
    public var isLoopback: Bool {
        switch self {
        case .unix: return true
        case .tcp(let host, _):
            if ListenAddress.family(of: host) == AF_INET6 {
                var bytes = in6_addr()
                _ = inet_pton(AF_INET6, host, &bytes)
                let raw = withUnsafeBytes(of: &bytes) { Array($0) }
                return raw == [UInt8](repeating: 0, count: 15) + [1]
            }
            return host.hasPrefix("127.")
        }
    }

    /// "http://127.0.0.1:9180", "http://[::1]:9180", "unix:///run/berth.sock".
    public var description: String {
        switch self {
        case .unix(let path): return "unix://\(path)"
        case .tcp(let host, let port): return host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
        }
    }

    /// AF_INET or AF_INET6 for an IP literal, nil for anything else.
    static func family(of host: String) -> Int32? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return AF_INET }
        if inet_pton(AF_INET6, host, &v6) == 1 { return AF_INET6 }
        return nil
    }
}

/// Why a listener could not start: one line naming the address and the cause.
public struct HTTPListenerError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
