/// What an HTTP exchange needs of its connection beyond `ByteStream`: connecting under a
/// timeout, limits for what follows, and writes that stop when the server answers early.
/// A plain socket (`SocketByteStream`) or TLS over one (`TLSByteStream`).
protocol ConnectionStream: ByteStream {
    /// Opens the connection (and, for TLS, completes the handshake) within `timeout`.
    func connect(timeout: Duration) throws(HTTPError)
    /// Sets the absolute deadline and the per-read idle timeout for what follows.
    func setLimits(deadline: ContinuousClock.Instant?, idleTimeout: Duration?)
    /// Writes `bytes`; with `stopWhenReadable`, returns early with the count written so far
    /// once the server has sent something.
    func write(_ bytes: UnsafeRawBufferPointer, stopWhenReadable: Bool) throws(HTTPError) -> Int
    /// Done with the exchange: `reusable` when the response was read whole and the connection
    /// may carry another request (only kept-alive connections keep it; others close).
    func release(reusable: Bool)
}

extension ConnectionStream {
    func release(reusable: Bool) { close() }
}

extension SocketByteStream: ConnectionStream {}

/// The connection for `endpoint`, not yet connected.
func makeConnection(to endpoint: HTTPEndpoint) throws(HTTPError) -> any ConnectionStream {
    let socket = try SocketByteStream(endpoint: endpoint)
    if case .tls(let host, _, let settings) = endpoint {
        let context = try TLSContext.shared(for: settings, endpoint: endpoint.description)
        return try TLSByteStream(socket: socket, context: context, host: host)
    }
    return socket
}
