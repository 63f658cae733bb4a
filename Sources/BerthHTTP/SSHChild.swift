import BerthSystem
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// One running `ssh … docker system dial-stdio`: its stdin and stdout are one end of a
/// socket pair, the other end is a `SocketByteStream` berth reads and writes like any
/// connection (so timeouts, deadlines and cancellation work as for Unix sockets).
///
/// A thread of its own reads ssh's stderr (the last 8 KiB are kept to explain a failure)
/// and, once ssh closes it, reaps ssh. Closing the child closes berth's end (ssh sees the
/// end of its input) and sends SIGTERM to ssh's process group.
final class SSHChild: Sendable {
    let destination: SSHDestination
    let stream: SocketByteStream
    let pid: pid_t

    private struct State {
        var stderrTail: [UInt8] = []
        /// The exit status once reaped; nil while running or when a signal ended it.
        var status: Int32?
        var exited = false
        var closed = false
        /// When it last went back to the pool.
        var idleSince: ContinuousClock.Instant?
    }

    private let state = Locked(State())
    private let exitedSignal = DispatchSemaphore(value: 0)
    private static let stderrKept = 8192

    private init(destination: SSHDestination, stream: SocketByteStream, pid: pid_t) {
        self.destination = destination
        self.stream = stream
        self.pid = pid
    }

    /// Starts ssh for `destination`. Throws kind `.connect` (not transient) when the ssh
    /// client cannot be found or started.
    static func start(_ destination: SSHDestination, connectTimeout: Duration,
                      environment: [String: String] = ProcessInfo.processInfo.environment) throws(HTTPError) -> SSHChild {
        let endpoint = HTTPEndpoint.ssh(destination).description
        var argv = destination.arguments(connectTimeout: connectTimeout)
        let program = destination.program
        let resolved = program.contains("/") ? (access(program, X_OK) == 0 ? program : nil)
            : ChildProcess.find(program, path: environment["PATH"])
        guard let path = resolved else {
            throw HTTPError(.connect, endpoint: endpoint,
                            detail: "the ssh client '\(program)' is not installed here (not found\(program.contains("/") ? "" : " in PATH")); install openssh-client",
                            isTransient: false)
        }
        argv[0] = path
        var pair: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &pair) == 0 else {
            throw HTTPError(.connect, endpoint: endpoint, detail: "cannot create a socket pair for ssh: \(errnoText(errno))")
        }
        var errPipe: [Int32] = [-1, -1]
        guard ChildProcess.pipeClosedOnExec(&errPipe) == 0 else {
            let code = errno
            Glibc.close(pair[0]); Glibc.close(pair[1])
            throw HTTPError(.connect, endpoint: endpoint, detail: "cannot create a pipe for ssh: \(errnoText(code))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        Spawn.closeOthers(&actions)
        var pid: pid_t = 0
        let variables = environment.map { "\($0.key)=\($0.value)" }
        var spawnError = Spawn.start(argv, environment: variables, actions: &actions, pid: &pid)
        // A wrapper script just written may still be open for writing in a child another
        // thread is starting (until that child's exec closes it): the kernel says ETXTBSY.
        for _ in 0..<20 where spawnError == ETXTBSY {
            usleep(10_000)
            spawnError = Spawn.start(argv, environment: variables, actions: &actions, pid: &pid)
        }
        posix_spawn_file_actions_destroy(&actions)
        Glibc.close(pair[1]); Glibc.close(errPipe[1])
        guard spawnError == 0 else {
            Glibc.close(pair[0]); Glibc.close(errPipe[0])
            throw HTTPError(.connect, endpoint: endpoint, detail: "cannot start \(path): \(errnoText(spawnError))",
                            isTransient: false)
        }
        _ = fcntl(pair[0], F_SETFL, fcntl(pair[0], F_GETFL) | O_NONBLOCK)
        let stream: SocketByteStream
        do {
            stream = try SocketByteStream(endpoint: .ssh(destination))
        } catch {
            Glibc.close(pair[0]); Glibc.close(errPipe[0])
            kill(-pid, SIGTERM)
            let started = pid
            BlockingThread.start(name: "berth-ssh reap") { var status: Int32 = 0; waitpid(started, &status, 0) }
            throw error
        }
        stream.adopt(pair[0])
        let child = SSHChild(destination: destination, stream: stream, pid: pid)
        let stderrFD = errPipe[0]
        BlockingThread.start(name: "berth-ssh stderr") { child.watch(stderr: stderrFD) }
        return child
    }

    /// Keeps ssh's last words and reaps it. stderr closes when ssh exits, unless something
    /// ssh left running holds it (a ControlPersist master): so ssh is also looked for each
    /// second, and once it is gone only what stderr already holds is read.
    private func watch(stderr fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var status: Int32 = 0
        var reaped = false
        while true {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, reaped ? 0 : 1000)
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 {
                let count = read(fd, &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                state.withLock { s in
                    s.stderrTail += buffer[0..<count]
                    if s.stderrTail.count > SSHChild.stderrKept { s.stderrTail.removeFirst(s.stderrTail.count - SSHChild.stderrKept) }
                }
                continue
            }
            if reaped || ready < 0 { break }
            reaped = waitpid(pid, &status, WNOHANG) == pid
        }
        Glibc.close(fd)
        if !reaped {
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        }
        state.withLock { s in
            s.exited = true
            if status & 0x7f == 0 { s.status = (status >> 8) & 0xff }
        }
        exitedSignal.signal()
    }

    /// Ends the connection: berth's end closed, SIGTERM to ssh's group. Safe to call more than once.
    func close() {
        stream.close()
        state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            // Under the lock that `watch` takes after reaping: the group is still ssh's.
            if !s.exited { kill(-pid, SIGTERM) }
        }
    }

    /// Whether an idle child can carry the next request: ssh still runs, nothing arrived
    /// unasked (an end of stream would show as readable), and it has not idled past `maxIdle`.
    func isReusable(maxIdle: Duration) -> Bool {
        let (fresh, alive) = state.withLock { s in
            (s.idleSince.map { ContinuousClock.now - $0 < maxIdle } ?? true, !s.exited && !s.closed)
        }
        return fresh && alive && stream.isQuiet()
    }

    func markIdle() {
        state.withLock { $0.idleSince = .now }
    }

    var isRunning: Bool {
        state.withLock { !$0.exited && !$0.closed }
    }

    /// Why ssh ended, once it has (waiting at most `wait` for it): nil when it still runs.
    func failure(wait: Duration = .seconds(5)) -> HTTPError? {
        let (seconds, attoseconds) = wait.components
        let waited = exitedSignal.wait(timeout: .now() + .nanoseconds(Int(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)))
        guard waited == .success else { return nil }
        exitedSignal.signal()  // for any later caller
        let (status, tail) = state.withLock { ($0.status, $0.stderrTail) }
        let failure = SSHFailure(destination: destination, status: status, stderr: String(decoding: tail, as: UTF8.self))
        return HTTPError(.connect, endpoint: destination.description, detail: failure.detail, isTransient: failure.isTransient)
    }
}
