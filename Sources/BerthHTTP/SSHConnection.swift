/// One exchange's use of an ssh child, as a `ConnectionStream`: `connect` starts a child
/// unless an idle one was handed over, and an end of stream before the engine answered
/// becomes ssh's own reason (host key, refused key, docker missing on the far side).
final class SSHConnection: ConnectionStream {
    private let pool: SSHConnectionPool
    /// Whether the child came from the pool (it may have died while idle).
    let reused: Bool

    private struct State {
        var child: SSHChild?
        var closed = false
        var received = 0
    }

    private let state: Locked<State>

    init(pool: SSHConnectionPool, child: SSHChild?) {
        self.pool = pool
        reused = child != nil
        state = Locked(State(child: child))
    }

    private var endpoint: String { pool.destination.description }

    private var cancelledError: HTTPError { HTTPError(.cancelled, endpoint: endpoint, detail: "connection closed") }

    /// Whether any byte of an answer came on this exchange.
    var receivedAnything: Bool { state.withLock { $0.received > 0 } }

    func connect(timeout: Duration) throws(HTTPError) {
        if state.withLock({ $0.child != nil }) { return }
        if state.withLock({ $0.closed }) { throw cancelledError }
        let child = try pool.start()
        let cancelled = state.withLock { s in
            s.child = child
            return s.closed
        }
        if cancelled {
            pool.drop(child)
            throw cancelledError
        }
    }

    func setLimits(deadline: ContinuousClock.Instant?, idleTimeout: Duration?) {
        state.withLock { $0.child }?.stream.setLimits(deadline: deadline, idleTimeout: idleTimeout)
    }

    func write(_ bytes: [UInt8]) throws(HTTPError) {
        let child = try current()
        do throws(HTTPError) { try child.stream.write(bytes) } catch { throw explained(error, child) }
    }

    func write(_ bytes: UnsafeRawBufferPointer, stopWhenReadable: Bool) throws(HTTPError) -> Int {
        let child = try current()
        do throws(HTTPError) { return try child.stream.write(bytes, stopWhenReadable: stopWhenReadable) } catch {
            throw explained(error, child)
        }
    }

    func read(into buffer: inout [UInt8], max: Int) throws(HTTPError) -> Int {
        let child = try current()
        let count: Int
        do throws(HTTPError) { count = try child.stream.read(into: &buffer, max: max) } catch { throw explained(error, child) }
        if count > 0 {
            state.withLock { $0.received += count }
            return count
        }
        // ssh ended before the engine said anything: say why, in ssh's words.
        if !receivedAnything, let failure = child.failure() { throw failure }
        return 0
    }

    /// A write or read that failed: while nothing was answered yet, ssh's reason wins.
    private func explained(_ error: HTTPError, _ child: SSHChild) -> HTTPError {
        guard error.kind == .reset, !receivedAnything, let failure = child.failure() else { return error }
        return failure
    }

    /// After a complete exchange the child goes back to the pool; otherwise it ends.
    func release(reusable: Bool) {
        let (child, closed) = state.withLock { s in
            defer { s.child = nil }
            return (s.child, s.closed)
        }
        guard let child else { return }
        if reusable && !closed { pool.checkIn(child) } else { pool.drop(child) }
    }

    func close() {
        let child = state.withLock { s in
            s.closed = true
            return s.child
        }
        if let child { pool.drop(child) }
    }

    private func current() throws(HTTPError) -> SSHChild {
        let cancelled = cancelledError
        return try state.withLock { (s: inout State) throws(HTTPError) -> SSHChild in
            guard !s.closed, let child = s.child else { throw cancelled }
            return child
        }
    }
}
