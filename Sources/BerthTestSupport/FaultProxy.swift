import Foundation
import Glibc

/// A Unix-socket proxy between berth and a Docker Engine that injects faults by a seeded
/// schedule: 500 and 503 answers, connections dropped mid-response or before any response
/// byte, stalls longer than berth's timeout, cut event streams, stale swarm versions.
///
/// Every client connection is forwarded byte for byte to the upstream socket; only the
/// request head (method, path, body length) and the response head are parsed, enough to know
/// where to cut. berth sends one request per connection, so one connection is one request.
///
///     let proxy = try FaultProxy(upstream: "/run/docker.sock", schedule: .mixed(seed: 7, fraction: 0.3))
///     try proxy.start()                        // prints the seed
///     defer { proxy.stop() }
///     // DOCKER_HOST=\(proxy.url) berth apply ...
///     proxy.faultsOn = false                   // from now on a plain proxy
///     proxy.counts                             // ["http-500": 3, "reset": 2, ...]
public final class FaultProxy: Sendable {
    /// One request the proxy saw: what it was, what was done to it, and when (seconds since `start()`).
    public struct Entry: Sendable, CustomStringConvertible {
        public var method: String
        public var path: String
        public var fault: FaultKind?
        public var time: Double

        public var description: String {
            String(format: "%8.3fs %@ %@ -> %@", time, method, path, fault?.rawValue ?? "pass")
        }
    }

    struct State {
        var schedule: FaultSchedule
        var faultsOn = true
        var entries: [Entry] = []
        var connections: Set<Int32> = []
        var stopped = false
        var cuts = 0
    }

    /// The temporary directory holding the socket; removed by `stop()`.
    public let directory: String
    /// The proxy's own socket, for DOCKER_HOST.
    public let socketPath: String
    /// The engine's socket.
    public let upstreamPath: String
    /// The schedule's seed: the same seed and request order give the same faults.
    public let seed: UInt64
    let state: HTTPTestLocked<State>
    let started = ContinuousClock.now
    let stopRead: Int32
    let stopWrite: Int32

    /// A proxy in a new berth-fp-XXXXXX directory under `TemporaryDirectory.root` (short: a socket path holds 107 bytes).
    /// `upstream` is a socket path or a unix:// URL.
    public init(upstream: String, schedule: FaultSchedule) throws {
        upstreamPath = upstream.hasPrefix("unix://") ? String(upstream.dropFirst("unix://".count)) : upstream
        directory = try TemporaryDirectory.make(named: "berth-fp")
        socketPath = directory + "/docker.sock"
        seed = schedule.seed
        state = HTTPTestLocked(State(schedule: schedule))
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw HTTPTestServerError("cannot create a pipe: errno \(errno)") }
        stopRead = fds[0]
        stopWrite = fds[1]
    }

    deinit {
        stop()
        close(stopRead)
        close(stopWrite)
    }

    /// "unix:///tmp/berth-fp-XXXXXX/docker.sock", for DOCKER_HOST or --docker-host.
    public var url: String { "unix://" + socketPath }

    /// Whether the schedule is consulted; off, every request passes through untouched.
    /// Connections already stalled or being cut keep their fault.
    public var faultsOn: Bool {
        get { state.withLock { $0.faultsOn } }
        set { state.withLock { $0.faultsOn = newValue } }
    }

    /// Every request seen so far, in arrival order.
    public var entries: [Entry] { state.withLock { $0.entries } }

    /// Faults injected so far by kind, keyed by `FaultKind.rawValue` as `FaultsReport.faults` wants them.
    public var counts: [String: Int] {
        var counts: [String: Int] = [:]
        for entry in entries { if let fault = entry.fault { counts[fault.rawValue, default: 0] += 1 } }
        return counts
    }

    /// Faults injected of one kind.
    public func count(_ kind: FaultKind) -> Int { entries.filter { $0.fault == kind }.count }

    /// Replaces the schedule's rules (the random sequence goes on), e.g. between scenario phases.
    public func setRules(_ rules: [FaultRule]) {
        state.withLock { s in
            var schedule = FaultSchedule(seed: s.schedule.seed, rules: rules, cutAfterEvents: s.schedule.cutAfterEvents,
                                         cutAfterSeconds: s.schedule.cutAfterSeconds, stallSeconds: s.schedule.stallSeconds)
            _ = schedule.nextUnit()
            s.schedule = schedule
        }
    }

    /// Cuts every event stream open now (they notice within 200 ms), as `cutEvents` would;
    /// counted as one `cutEvents` fault per stream cut.
    public func cutEventStreams() { state.withLock { $0.cuts += 1 } }

    var cuts: Int { state.withLock { $0.cuts } }

    /// Logs a fault decided after the request passed (a stream cut on demand).
    func logCut(method: String, path: String) {
        state.withLock { $0.entries.append(Entry(method: method, path: path, fault: .cutEvents, time: now)) }
    }

    /// Binds the socket and starts accepting; prints the seed so a failing run can be repeated.
    public func start() throws {
        let listener = try FaultSockets.listen(path: socketPath)
        FileHandle.standardError.write(Data("faultproxy: \(socketPath) -> \(upstreamPath), seed \(seed)\n".utf8))
        Thread { [self] in acceptLoop(listener) }.start()
    }

    /// Stops accepting, ends every connection (stalled ones included), removes the directory.
    public func stop() {
        state.withLock { s in
            guard !s.stopped else { return }
            s.stopped = true
            var one: UInt8 = 1
            _ = write(stopWrite, &one, 1)
            for fd in s.connections { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        }
        unlink(socketPath)
        rmdir(directory)
    }

    /// The engine becomes unreachable, as when its daemon is gone: the socket file is removed
    /// (new connects fail with "no such file") and open connections, event streams included,
    /// are cut. The shared engine behind it is not touched.
    public func unplug() {
        unlink(socketPath)
        state.withLock { s in for fd in s.connections { _ = shutdown(fd, Int32(SHUT_RDWR)) } }
    }

    /// The engine is back: a new listener on the same path.
    public func plugIn() throws {
        let listener = try FaultSockets.listen(path: socketPath)
        Thread { [self] in acceptLoop(listener) }.start()
    }

    var now: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Decides and logs the fault for one request.
    func decide(method: String, path: String) -> (FaultKind?, FaultSchedule) {
        state.withLock { s in
            let fault = s.faultsOn ? s.schedule.decide(method: method, path: path) : nil
            s.entries.append(Entry(method: method, path: path, fault: fault, time: now))
            return (fault, s.schedule)
        }
    }

    private func acceptLoop(_ listener: Int32) {
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
            let registered = register(fd)
            guard registered else { close(fd); return }
            let connection = FaultProxyConnection(client: fd, proxy: self)
            Thread { connection.run() }.start()
        }
    }

    /// Tracks a descriptor so `stop()` can wake whatever waits on it; false once stopped.
    func register(_ fd: Int32) -> Bool {
        state.withLock { s in
            guard !s.stopped else { return false }
            s.connections.insert(fd)
            return true
        }
    }

    /// Closes a descriptor under the lock, so `stop()` never shuts down a reused number.
    func release(_ fd: Int32) {
        state.withLock { s in
            s.connections.remove(fd)
            close(fd)
        }
    }
}
