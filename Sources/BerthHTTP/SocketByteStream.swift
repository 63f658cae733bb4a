import Glibc

/// A `ByteStream` over a non-blocking socket, waiting in `poll()` so that timeouts,
/// deadlines and `close()` from another thread all work the same way on Unix and TCP sockets.
///
/// `close()` never closes a descriptor a blocked thread is using: it writes to a wake-up
/// pipe every wait also polls, and the descriptors are released when the last operation
/// leaves. Closing a descriptor under a blocked `poll` could let the number be reused.
final class SocketByteStream: ByteStream {
    let endpoint: HTTPEndpoint

    private struct State {
        var fd: Int32 = -1
        var busy = 0
        var closed = false
        var released = false
        /// Absolute limit for every read and write, the whole-request timeout.
        var deadline: ContinuousClock.Instant?
        /// Longest wait for a single read, for streams that may legitimately run for hours.
        var idleTimeout: Duration?
    }

    private let state = Locked(State())
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Prepares the wake-up pipe; `connect(timeout:)` opens the socket itself.
    init(endpoint: HTTPEndpoint) throws(HTTPError) {
        self.endpoint = endpoint
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 {
            throw HTTPError(.connect, endpoint: endpoint.description, detail: "cannot create a pipe: \(errnoText(errno))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        state.withLock { s in
            if !s.released { releaseLocked(&s) }
        }
    }

    /// Sets the absolute deadline and the per-read idle timeout for what follows.
    func setLimits(deadline: ContinuousClock.Instant?, idleTimeout: Duration?) {
        state.withLock { s in
            s.deadline = deadline
            s.idleTimeout = idleTimeout
        }
    }

    /// Connects to `endpoint`. A connect that takes longer than `timeout` fails with kind `.connect`.
    func connect(timeout: Duration) throws(HTTPError) {
        _ = try begin()
        defer { end() }
        let connector = SocketConnector(stream: self, deadline: .now + timeout, timeout: timeout)
        switch endpoint {
        case .unix(let path): try connector.connectUnix(path: path)
        case .tcp(let host, let port), .tls(let host, let port, _): try connector.connectTCP(host: host, port: port)
        case .ssh:
            // An ssh child's socket is made by SSHChild and adopted; there is nothing to dial.
            throw HTTPError(.invalidEndpoint, endpoint: endpoint.description, detail: "an ssh endpoint is not dialled as a socket")
        }
    }

    func write(_ bytes: [UInt8]) throws(HTTPError) {
        _ = try bytes.withUnsafeBytes { raw in
            Result { () throws(HTTPError) -> Int in try write(raw, stopWhenReadable: false) }
        }.get()
    }

    /// Writes `bytes`, waiting at most until the deadline and, with an idle timeout, at
    /// most that long for each bit of progress. With `stopWhenReadable`, returns early
    /// (with the count written so far) once the peer has sent something: a server that
    /// answers before it has read the whole request body.
    func write(_ bytes: UnsafeRawBufferPointer, stopWhenReadable: Bool) throws(HTTPError) -> Int {
        let fd = try begin()
        defer { end() }
        if stopWhenReadable {
            var watch = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&watch, 1, 0) > 0 && watch.revents & Int16(POLLIN) != 0 { return 0 }
        }
        let (deadline, idle) = limits()
        var offset = 0
        var until = deadline
        while offset < bytes.count {
            if let idle {
                let idleDeadline = ContinuousClock.now + idle
                until = deadline.map { min($0, idleDeadline) } ?? idleDeadline
            }
            let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent >= 0 {
                offset += sent
                continue
            }
            let code = errno
            if isClosed { throw cancelledError }
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                let events = Int16(POLLOUT) | (stopWhenReadable ? Int16(POLLIN) : 0)
                let ready = try wait(fd: fd, events: events, until: until)
                if stopWhenReadable && ready & Int16(POLLIN) != 0 { return offset }
            default: throw ioError(code)
            }
        }
        return offset
    }

    func read(into buffer: inout [UInt8], max: Int) throws(HTTPError) -> Int {
        let fd = try begin()
        defer { end() }
        let (deadline, idle) = limits()
        var until = deadline
        if let idle {
            let idleDeadline = ContinuousClock.now + idle
            until = until.map { min($0, idleDeadline) } ?? idleDeadline
        }
        while true {
            let count = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max) { scratch in
                let received = recv(fd, scratch.baseAddress!, max, 0)
                if received > 0 { buffer.append(contentsOf: scratch[0..<received]) }
                return received
            }
            let code = errno
            // After close() the shutdown shows up as an end of stream or a reset; callers
            // must see the cancellation, not a peer that hung up.
            if count <= 0 && isClosed { throw cancelledError }
            if count >= 0 { return count }
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(fd: fd, events: Int16(POLLIN), until: until)
            default: throw ioError(code)
            }
        }
    }

    func close() {
        state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            // Both happen under the lock so they can never hit a descriptor released meanwhile.
            if s.fd >= 0 { _ = shutdown(s.fd, Int32(SHUT_RDWR)) }
            var one: UInt8 = 1
            _ = Glibc.write(wakeWrite, &one, 1)
            if s.busy == 0 { releaseLocked(&s) }
        }
    }

    /// Sends a FIN after what was written, keeping the read side open: a server that
    /// answers before reading the whole request drains the rest, or closing with unread
    /// bytes would reset the connection and the client could lose the answer.
    func shutdownWrite() {
        state.withLock { s in
            if !s.closed && s.fd >= 0 { _ = shutdown(s.fd, Int32(SHUT_WR)) }
        }
    }

    /// Whether the stream is open with nothing waiting to be read and no hang-up from the
    /// peer: a kept-alive connection fit to carry the next request.
    func isQuiet() -> Bool {
        guard let fd = try? begin() else { return false }
        defer { end() }
        var watch = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&watch, 1, 0) == 0
    }

    // MARK: - Used by SocketConnector

    /// Makes `fd` the socket of this stream, closing an earlier attempt's socket.
    func adopt(_ fd: Int32) {
        state.withLock { s in
            if s.fd >= 0 { Glibc.close(s.fd) }
            s.fd = fd
        }
    }

    /// Waits in `poll()` until `fd` is ready for `events`, the deadline passes (kind
    /// `.timeout`) or `close()` is called (kind `.cancelled`).
    @discardableResult
    func wait(fd: Int32, events: Int16, until deadline: ContinuousClock.Instant?) throws(HTTPError) -> Int16 {
        while true {
            var timeoutMS: Int32 = -1
            if let deadline {
                let left = deadline - .now
                if left <= .zero { throw HTTPError(.timeout, endpoint: endpoint.description, detail: "timed out") }
                let (seconds, attoseconds) = left.components
                let ms = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
                timeoutMS = Int32(clamping: ms)
            }
            var fds = [pollfd(fd: fd, events: events, revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, timeoutMS)
            if rc < 0 {
                let code = errno
                if code == EINTR { continue }
                throw ioError(code)
            }
            if fds[1].revents != 0 { throw cancelledError }
            if fds[0].revents != 0 { return fds[0].revents }
        }
    }

    var cancelledError: HTTPError {
        HTTPError(.cancelled, endpoint: endpoint.description, detail: "connection closed")
    }

    /// Maps an errno from send or recv: everything there means the connection is gone.
    func ioError(_ code: Int32) -> HTTPError {
        HTTPError(.reset, endpoint: endpoint.description, detail: errnoText(code))
    }

    // MARK: - Private

    private var isClosed: Bool {
        state.withLock { $0.closed }
    }

    private func limits() -> (deadline: ContinuousClock.Instant?, idle: Duration?) {
        state.withLock { s in (s.deadline, s.idleTimeout) }
    }

    private func begin() throws(HTTPError) -> Int32 {
        let cancelled = cancelledError
        return try state.withLock { (s: inout State) throws(HTTPError) -> Int32 in
            if s.closed { throw cancelled }
            s.busy += 1
            return s.fd
        }
    }

    private func end() {
        state.withLock { s in
            s.busy -= 1
            if s.closed && s.busy == 0 && !s.released { releaseLocked(&s) }
        }
    }

    private func releaseLocked(_ s: inout State) {
        s.released = true
        if s.fd >= 0 { Glibc.close(s.fd) }
        s.fd = -1
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }
}

/// `strerror` as a lower-case phrase: "connection refused", "no such file or directory".
func errnoText(_ code: Int32) -> String {
    guard let raw = strerror(code) else { return "error \(code)" }
    let text = String(cString: raw)
    return text.prefix(1).lowercased() + text.dropFirst()
}
