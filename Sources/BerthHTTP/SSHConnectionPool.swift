/// The ssh children of one `HTTPClient`: an idle child carries the next request (HTTP
/// keep-alive; Docker keeps the connection open), so a client normally holds one ssh login.
/// A stream (GET /events, build progress) keeps its child to itself and ends it when done;
/// a child that broke or idled past `maxIdle` is dropped and a new one started.
final class SSHConnectionPool: Sendable {
    let destination: SSHDestination
    let connectTimeout: Duration
    /// Idle children kept; more are closed when they come back. As many as `apply` runs
    /// actions at once by default, so a burst of parallel requests does not log in again for
    /// each burst (a login costs about a second).
    static let maxIdleChildren = 8
    /// An idle child older than this is not trusted with a request (a NAT may have forgotten it).
    static let maxIdle: Duration = .seconds(60)

    private struct State {
        var idle: [SSHChild] = []
        var running: [ObjectIdentifier: SSHChild] = [:]
        var spawned = 0
    }

    private let state = Locked(State())

    init(destination: SSHDestination, connectTimeout: Duration) {
        self.destination = destination
        self.connectTimeout = connectTimeout
    }

    deinit {
        closeIdle()
    }

    /// A connection for one exchange: an idle child when one is fit, else one started on `connect`.
    func connection(reuse: Bool = true) -> SSHConnection {
        // Every idle child is looked at, so that ones left over from a burst of parallel
        // requests end once they have idled past `maxIdle`, not only when reached.
        let (found, stale) = state.withLock { s -> (SSHChild?, [SSHChild]) in
            let stale = s.idle.filter { !$0.isReusable(maxIdle: SSHConnectionPool.maxIdle) }
            s.idle.removeAll { child in stale.contains { $0 === child } }
            return (reuse ? s.idle.popLast() : nil, stale)
        }
        for child in stale { drop(child) }
        return SSHConnection(pool: self, child: found)
    }

    /// Starts a new child and counts it as running.
    func start() throws(HTTPError) -> SSHChild {
        let child = try SSHChild.start(destination, connectTimeout: connectTimeout)
        state.withLock { s in
            s.running[ObjectIdentifier(child)] = child
            s.spawned += 1
        }
        return child
    }

    /// Takes a child back after a complete exchange; it waits for the next request.
    func checkIn(_ child: SSHChild) {
        child.markIdle()
        let extra: SSHChild? = state.withLock { s in
            guard child.isRunning, s.running[ObjectIdentifier(child)] != nil else { return child }
            if s.idle.count >= SSHConnectionPool.maxIdleChildren { return child }
            s.idle.append(child)
            return nil
        }
        if let extra { drop(extra) }
    }

    /// Ends a child for good (broken, cancelled, or a stream that is over).
    func drop(_ child: SSHChild) {
        child.close()
        state.withLock { s in
            s.running[ObjectIdentifier(child)] = nil
            s.idle.removeAll { $0 === child }
        }
    }

    /// Ends every idle child; children carrying a request or a stream end with it.
    func closeIdle() {
        let idle = state.withLock { s in
            defer { s.idle = [] }
            return s.idle
        }
        for child in idle { drop(child) }
    }

    /// ssh children running for this client (idle ones and those carrying a request or a stream).
    var runningChildren: Int {
        state.withLock { $0.running.values.filter(\.isRunning).count }
    }

    /// ssh children started since the client was made.
    var startedChildren: Int {
        state.withLock { $0.spawned }
    }
}
