import BerthHTTP
import Foundation
import Glibc

/// A tiny HTTP/1.1 server for tests, on a Unix socket in a fresh temporary directory
/// (and, when asked, on TCP 127.0.0.1 with a port the kernel picks).
///
/// Every connection gets a thread that reads one request, records it, asks the handler
/// for a reply and carries it out, then closes the connection (with request bytes still
/// unread, if it answered early). Replies can be normal,
/// chunked with delays and gates, raw bytes, cut off after N bytes, or a stall.
///
///     let server = try UnixHTTPTestServer { request in .json(#"{"ok":true}"#) }
///     try server.start()
///     defer { server.stop() }
///     let client = HTTPClient(endpoint: server.endpoint)
public final class UnixHTTPTestServer: Sendable {
    /// Decides the reply to a request; called on the connection's own thread, so it may block.
    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerReply

    /// The temporary directory holding the socket; removed by `stop()`.
    public let directory: String
    /// The path of the Unix socket.
    public let socketPath: String
    private let listensOnTCP: Bool
    private let core: TestServerCore
    private let tcpPort = HTTPTestLocked<Int?>(nil)

    /// Creates a server in a new temporary directory; `start()` begins listening.
    ///
    /// Request bodies are read by Content-Length or `Transfer-Encoding: chunked`. With
    /// `storesBodies: false` they are only counted and checksummed (`bodyCount`,
    /// `bodyChecksum`), for bodies of many megabytes. With `answersBeforeBody: true` the
    /// handler is asked as soon as the head is in and the body is never read (a server
    /// rejecting an upload early); `bodyComplete` is then false. With `tls`, the TCP side
    /// speaks TLS with that identity (the Unix socket stays plain): see `tlsEndpoint(settings:)`.
    public init(tcp: Bool = false, storesBodies: Bool = true, answersBeforeBody: Bool = false,
                tls: TLSServerIdentity? = nil, handler: @escaping Handler) throws {
        // A short root keeps the path far below the 107 bytes a socket address holds.
        directory = try TemporaryDirectory.make(named: "berth-http")
        socketPath = directory + "/server.sock"
        listensOnTCP = tcp
        core = try TestServerCore(storesBodies: storesBodies, answersBeforeBody: answersBeforeBody,
                                  tlsContext: try tls.map(TestServerTLSContext.init), handler: handler)
    }

    deinit {
        stop()
    }

    /// The Unix socket endpoint, for `HTTPClient`.
    public var endpoint: HTTPEndpoint { .unix(path: socketPath) }

    /// The TCP endpoint once started with `tcp: true`.
    public var tcpEndpoint: HTTPEndpoint? {
        tcpPort.withLock { $0 }.map { .tcp(host: "127.0.0.1", port: $0) }
    }

    /// The TLS endpoint once started with `tcp: true` and an identity, with the client's `settings`.
    public func tlsEndpoint(host: String = "127.0.0.1", settings: TLSSettings) -> HTTPEndpoint? {
        tcpPort.withLock { $0 }.map { .tls(host: host, port: $0, settings: settings) }
    }

    /// Every request received so far, in arrival order.
    public var requests: [HTTPServerRequest] { core.state.withLock { $0.requests } }

    /// Connections accepted so far.
    public var acceptedConnections: Int { core.state.withLock { $0.accepted } }

    /// Connections accepted and not yet closed by the server.
    public var openConnections: Int { core.state.withLock { $0.connections.count } }

    /// Binds the sockets and starts accepting.
    public func start() throws {
        let unixListener = try listenUnix()
        let core = self.core
        Thread { core.acceptLoop(unixListener, isTCP: false) }.start()
        if listensOnTCP {
            let (tcpListener, port) = try listenTCP()
            tcpPort.withLock { $0 = port }
            Thread { core.acceptLoop(tcpListener, isTCP: true) }.start()
        }
    }

    /// Stops accepting, ends every connection (stalled ones included) and removes the
    /// directory. Safe to call more than once.
    public func stop() {
        core.stop()
        unlink(socketPath)
        rmdir(directory)
    }

    private func listenUnix() throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestServerError("socket failed: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw HTTPTestServerError("cannot listen on \(socketPath): errno \(code)")
        }
        return fd
    }

    private func listenTCP() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestServerError("socket failed: errno \(errno)") }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && listen(fd, 128) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            let code = errno
            close(fd)
            throw HTTPTestServerError("cannot listen on 127.0.0.1: errno \(code)")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
