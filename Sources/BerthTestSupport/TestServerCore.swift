import Foundation
import Glibc

/// The state every thread of a `UnixHTTPTestServer` shares. Threads hold it strongly, so
/// the stop pipe lives until the last of them has finished.
final class TestServerCore: Sendable {
    struct State {
        var requests: [HTTPServerRequest] = []
        var accepted = 0
        var connections: Set<Int32> = []
        var stopped = false
    }

    let handler: @Sendable (HTTPServerRequest) -> HTTPServerReply
    /// Whether request bodies are kept in `HTTPServerRequest.body` (else only counted and checksummed).
    let storesBodies: Bool
    /// Whether the handler is asked right after the head, leaving the body unread.
    let answersBeforeBody: Bool
    /// TLS for TCP connections, when the server was given an identity.
    let tlsContext: TestServerTLSContext?
    let state = HTTPTestLocked(State())
    let stopRead: Int32
    let stopWrite: Int32

    init(storesBodies: Bool = true, answersBeforeBody: Bool = false, tlsContext: TestServerTLSContext? = nil,
         handler: @escaping @Sendable (HTTPServerRequest) -> HTTPServerReply) throws {
        self.handler = handler
        self.tlsContext = tlsContext
        self.storesBodies = storesBodies
        self.answersBeforeBody = answersBeforeBody
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw HTTPTestServerError("cannot create a pipe: errno \(errno)") }
        stopRead = fds[0]
        stopWrite = fds[1]
    }

    deinit {
        close(stopRead)
        close(stopWrite)
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    func record(_ request: HTTPServerRequest) {
        state.withLock { $0.requests.append(request) }
    }

    /// Accepts connections on `listener` until stopped, each served on its own thread.
    func acceptLoop(_ listener: Int32, isTCP: Bool) {
        defer { close(listener) }
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: stopRead, events: Int16(POLLIN), revents: 0)]
            let rc = poll(&fds, 2, -1)
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 || fds[1].revents != 0 { return }
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let registered = state.withLock { s in
                guard !s.stopped else { return false }
                s.accepted += 1
                s.connections.insert(fd)
                return true
            }
            guard registered else {
                close(fd)
                return
            }
            let connection = TestServerConnection(fd: fd, isTCP: isTCP, core: self, tlsContext: isTCP ? tlsContext : nil)
            Thread { connection.run() }.start()
        }
    }

    /// Closes a connection's descriptor; under the lock so `stop()` never shuts down a reused number.
    func closeConnection(_ fd: Int32) {
        state.withLock { s in
            s.connections.remove(fd)
            close(fd)
        }
    }

    /// Wakes the accept loops and every connection thread; they close their own descriptors.
    func stop() {
        state.withLock { s in
            guard !s.stopped else { return }
            s.stopped = true
            var one: UInt8 = 1
            _ = write(stopWrite, &one, 1)
            for fd in s.connections { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }
}

/// Why the test server could not start.
public struct HTTPTestServerError: Error, CustomStringConvertible {
    /// What failed.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
