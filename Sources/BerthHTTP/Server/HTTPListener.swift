import BerthSystem
import Glibc

/// A small HTTP/1.1 server for berth's own endpoints (health, status, webhooks): one thread
/// per connection, one request per connection (`Connection: close`), bounded in every way a
/// client could abuse: head size, body size, time per request and connections at once.
public final class HTTPListener: Sendable {
    public struct Limits: Sendable {
        /// Request line and headers; more is answered 431.
        public var head = 16 * 1024
        /// Request body; a larger Content-Length is answered 413 before the body is read.
        public var body = 1024 * 1024
        /// From accepting a connection to the end of its request; then 408 and close.
        public var request: Duration = .seconds(10)
        /// Connections served at once; others are answered 503 and closed.
        public var connections = 16

        public init() {}
    }

    public typealias Handler = @Sendable (ServerRequest) -> ServerResponse

    struct State {
        var streams: [Int: SocketByteStream] = [:]
        var nextID = 0
        var stopped = false
        var threads = 0
    }

    /// Where it listens, with the port the kernel chose when asked for port 0.
    public let address: ListenAddress
    let limits: Limits
    let handler: Handler
    let listenFD: Int32
    let state = Locked(State())
    let finished = ThreadCondition()
    private let stopRead: Int32
    private let stopWrite: Int32

    /// Binds `address` and starts accepting at once.
    public init(address: ListenAddress, limits: Limits = Limits(), handler: @escaping Handler) throws(HTTPListenerError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw HTTPListenerError("cannot listen on \(address): cannot create a pipe: \(errnoText(errno))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        do {
            (listenFD, self.address) = try ListenerSocket.open(address)
        } catch {
            close(fds[0])
            close(fds[1])
            throw error
        }
        stopRead = fds[0]
        stopWrite = fds[1]
        self.limits = limits
        self.handler = handler
        started()
        BlockingThread.start(name: "berth-listener") { [self] in acceptLoop() }
    }

    deinit {
        close(stopRead)
        close(stopWrite)
    }

    /// Stops accepting, closes every connection, waits for their threads and removes the
    /// Unix socket file. Safe to call more than once.
    public func stop() {
        let streams = state.withLock { s -> [SocketByteStream] in
            guard !s.stopped else { return [] }
            s.stopped = true
            var one: UInt8 = 1
            _ = write(stopWrite, &one, 1)
            return Array(s.streams.values)
        }
        for stream in streams { stream.close() }
        finished.lock()
        while state.withLock({ $0.threads }) > 0 { finished.wait() }
        finished.unlock()
    }

    private func started() {
        state.withLock { $0.threads += 1 }
    }

    func threadDone() {
        finished.lock()
        state.withLock { $0.threads -= 1 }
        finished.broadcast()
        finished.unlock()
    }

    private func acceptLoop() {
        defer {
            close(listenFD)
            if case .unix(let path) = address { unlink(path) }
            threadDone()
        }
        while true {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: stopRead, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, -1)
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 || fds[1].revents != 0 { return }
            var peer = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &peer) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(listenFD, $0, &length)
                }
            }
            if fd >= 0 {
                // Glibc's module does not offer accept4; set both flags before anything else.
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
            if fd < 0 {
                // EMFILE and friends: wait a little rather than spin on a listener that stays readable.
                if errno != EAGAIN && errno != EINTR { usleep(50_000) }
                continue
            }
            admit(fd, remote: HTTPListener.describePeer(peer))
        }
    }

    /// Serves `fd` on a thread of its own, or answers 503 when the limit is reached.
    private func admit(_ fd: Int32, remote: String) {
        let endpoint: HTTPEndpoint = if case .unix(let path) = address { .unix(path: path) } else { .tcp(host: remote, port: 0) }
        guard let stream = try? SocketByteStream(endpoint: endpoint) else {
            close(fd)
            return
        }
        stream.adopt(fd)
        let id: Int? = state.withLock { s in
            guard !s.stopped, s.streams.count < limits.connections else { return nil }
            s.nextID += 1
            s.streams[s.nextID] = stream
            s.threads += 1
            return s.nextID
        }
        guard let id else {
            // A full house: say so without waiting on the client (the socket is non-blocking).
            stream.setLimits(deadline: .now + .milliseconds(100), idleTimeout: nil)
            try? stream.write(ServerResponse.text(503, "too many connections at once (\(limits.connections)); try again").serialized())
            // Only what has already arrived: the accept loop must not wait on this client.
            ListenerConnection.drain(stream, for: .zero)
            stream.close()
            return
        }
        let connection = ListenerConnection(stream: stream, remote: remote, limits: limits, handler: handler)
        BlockingThread.start(name: "berth-listener-\(id)") { [self] in
            connection.serve()
            stream.close()
            state.withLock { _ = $0.streams.removeValue(forKey: id) }
            threadDone()
        }
    }

    /// The peer's IP address ("127.0.0.1", "::1"), or "unix socket".
    static func describePeer(_ peer: sockaddr_storage) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(peer.ss_family) {
        case AF_INET:
            var address = withUnsafeBytes(of: peer) { $0.load(as: sockaddr_in.self) }.sin_addr
            inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
        case AF_INET6:
            var address = withUnsafeBytes(of: peer) { $0.load(as: sockaddr_in6.self) }.sin6_addr
            inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
        default:
            return "unix socket"
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
