import Glibc

/// Opens the socket of a `SocketByteStream`: a non-blocking connect completed in `poll()`,
/// so the connect timeout and cancellation apply even when the peer never answers.
struct SocketConnector {
    let stream: SocketByteStream
    let deadline: ContinuousClock.Instant
    let timeout: Duration

    private var endpointText: String { stream.endpoint.description }

    func connectUnix(path: String) throws(HTTPError) {
        let bytes = Array(path.utf8)
        guard bytes.count <= HTTPEndpoint.maximumUnixPathLength else {
            throw HTTPError(.invalidEndpoint, endpoint: endpointText, detail: HTTPEndpoint.tooLongDetail(path))
        }
        let fd = try openSocket(family: AF_UNIX, protocol: 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        while true {
            let rc = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
            }
            if rc == 0 { return }
            let code = errno
            switch code {
            case EINPROGRESS, EINTR:
                try finishConnect(fd)
                return
            case EAGAIN:
                // A Unix listener with a full backlog refuses non-blocking connects with
                // EAGAIN instead of queueing them; wait a little and try again.
                do {
                    try stream.wait(fd: -1, events: 0, until: min(deadline, .now + .milliseconds(10)))
                } catch where error.kind == .timeout {
                    if ContinuousClock.now >= deadline { throw timedOut() }
                }
            default:
                throw connectError(code)
            }
        }
    }

    func connectTCP(host: String, port: Int) throws(HTTPError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        if rc != 0 {
            let reason = String(cString: gai_strerror(rc)).lowercased()
            throw HTTPError(.connect, endpoint: endpointText, detail: "cannot resolve host \(host): \(reason)",
                            isTransient: rc == EAI_AGAIN)
        }
        defer { freeaddrinfo(list) }
        var lastError = HTTPError(.connect, endpoint: endpointText, detail: "host \(host) has no addresses")
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            do throws(HTTPError) {
                let fd = try openSocket(family: info.ai_family, protocol: info.ai_protocol)
                let rc = Glibc.connect(fd, info.ai_addr, info.ai_addrlen)
                if rc != 0 {
                    let code = errno
                    guard code == EINPROGRESS || code == EINTR else { throw connectError(code) }
                    try finishConnect(fd)
                }
                // Requests go out in one write, but small writes on a stream must not wait for acks.
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return
            } catch {
                // Cancellation and a spent deadline end the attempt; other errors try the next address.
                if error.kind == .cancelled || ContinuousClock.now >= deadline { throw error }
                lastError = error
            }
        }
        throw lastError
    }

    private func openSocket(family: Int32, protocol proto: Int32) throws(HTTPError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(family, type, proto)
        if fd < 0 {
            throw HTTPError(.connect, endpoint: endpointText, detail: "cannot create a socket: \(errnoText(errno))")
        }
        stream.adopt(fd)
        return fd
    }

    /// Waits for a non-blocking connect to complete and reports its outcome.
    private func finishConnect(_ fd: Int32) throws(HTTPError) {
        do {
            try stream.wait(fd: fd, events: Int16(POLLOUT), until: deadline)
        } catch where error.kind == .timeout {
            throw timedOut()
        }
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
        if code != 0 { throw connectError(code) }
    }

    private func timedOut() -> HTTPError {
        HTTPError(.connect, endpoint: endpointText, detail: "timed out after \(describe(timeout)) connecting")
    }

    private func connectError(_ code: Int32) -> HTTPError {
        // Refused or missing sockets are what a restarting daemon looks like; permissions are not.
        let transient: Set<Int32> = [
            ECONNREFUSED, ENOENT, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, EAGAIN, ECONNRESET, ECONNABORTED,
        ]
        return HTTPError(.connect, endpoint: endpointText, detail: SocketConnector.connectCause(code) ?? errnoText(code),
                         isTransient: transient.contains(code))
    }
}

extension SocketConnector {
    /// Why a connect failed, in words a person can act on; nil for the rarer errnos, which
    /// are shown as the system says them.
    static func connectCause(_ code: Int32) -> String? {
        switch code {
        case ENOENT: "the socket does not exist (is the engine running?)"
        case ECONNREFUSED: "nothing is listening there (connection refused; is the engine running?)"
        case EACCES, EPERM: "permission denied (run berth as root, or as a user allowed to use that socket)"
        case EHOSTUNREACH, ENETUNREACH: "the host cannot be reached from here (no route)"
        case ETIMEDOUT: "the connection timed out"
        default: nil
        }
    }
}
