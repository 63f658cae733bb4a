/// An HTTP/1.1 client for one endpoint (the Docker Engine, a Kubernetes API server).
///
/// Each request runs its blocking I/O on a thread of its own, so slow or endless responses
/// never occupy Swift's cooperative thread pool. Each request opens its own connection,
/// except over ssh://, where an idle ssh child carries the next request (keep-alive).
public final class HTTPClient: Sendable {
    /// Where requests go.
    public let endpoint: HTTPEndpoint
    /// The longest a whole `send` may take after connecting, and the wait for a stream's head.
    public let timeout: Duration
    /// The longest opening a connection may take.
    public let connectTimeout: Duration
    /// The ssh children of an ssh:// endpoint; nil for the others.
    private let sshPool: SSHConnectionPool?

    /// Creates a client; nothing is opened until a request is sent.
    public init(endpoint: HTTPEndpoint, timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(5)) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        if case .ssh(let destination) = endpoint {
            sshPool = SSHConnectionPool(destination: destination, connectTimeout: connectTimeout)
        } else {
            sshPool = nil
        }
    }

    /// For ssh://, the ssh children running now: idle ones kept for the next request and
    /// those carrying a request or a stream. Always 0 for other endpoints.
    public var runningSSHChildren: Int { sshPool?.runningChildren ?? 0 }

    /// For ssh://, how many ssh children this client has started (each is one ssh login).
    public var startedSSHChildren: Int { sshPool?.startedChildren ?? 0 }

    /// Ends the idle connections kept for the next request (ssh children); requests and
    /// streams in flight go on. Also happens when the client is released.
    public func closeIdleConnections() {
        sshPool?.closeIdle()
    }

    /// One request, whole response. Adds Host and Content-Length (and Content-Type:
    /// application/json when a body is given and none set). Handles Content-Length bodies,
    /// chunked transfer encoding (with trailers), and bodies ending at connection close;
    /// 1xx responses are skipped; HEAD/204/304 have no body. Any status is a response;
    /// only failures to exchange one throw.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let slot = CancellationSlot()
        let exchange = Exchange(endpoint: endpoint, timeout: timeout, connectTimeout: connectTimeout, slot: slot, sshPool: sshPool)
        let result = await BlockingThread.run(name: "berth-http \(request.method)", onCancel: { slot.cancel() }) {
            Result { () throws(HTTPError) -> HTTPResponse in
                let (socket, reader, head, sentWhole) = try exchange.open(request)
                var reusable = false
                defer { socket.release(reusable: reusable) }
                var body: [UInt8] = []
                var bodyReader = reader
                try exchange.guarding(phase: "reading the response") { () throws(HTTPError) in
                    while let piece = try bodyReader.nextBodyChunk() { body.append(contentsOf: piece) }
                }
                reusable = sentWhole && bodyReader.leavesConnectionReusable && !slot.isCancelled
                    && head.headers["connection"]?.lowercased().contains("close") != true
                var headers = head.headers
                headers.merge(bodyReader.trailers) { own, _ in own }
                return HTTPResponse(status: head.status, headers: headers, body: body)
            }
        }
        return try result.get()
    }

    /// A long response read as it arrives (Docker's GET /events, build and pull progress):
    /// returns once the head is in, then yields body pieces (de-chunked) through `chunks`
    /// or `lines`. The head must arrive within `timeout`; the body has no overall limit,
    /// only `idleTimeout` between reads when given. Cancelling the consuming task or
    /// calling `cancel()` closes the connection and ends the stream.
    public func stream(_ request: HTTPRequest, idleTimeout: Duration? = nil) async throws(HTTPError) -> HTTPStream {
        let slot = CancellationSlot()
        let exchange = Exchange(endpoint: endpoint, timeout: timeout, connectTimeout: connectTimeout, slot: slot, sshPool: sshPool)
        let result = await BlockingThread.run(name: "berth-http stream", onCancel: { slot.cancel() }) {
            Result { () throws(HTTPError) -> HTTPStream in
                // A stream keeps its connection (its ssh child) to itself and ends it when done.
                let (socket, reader, head, _) = try exchange.open(request)
                socket.setLimits(deadline: nil, idleTimeout: idleTimeout)
                return HTTPStream(head: head, reader: reader, socket: socket, idleTimeout: idleTimeout)
            }
        }
        let stream = try result.get()
        if slot.isCancelled {
            stream.cancel()
            throw exchange.cancelled
        }
        return stream
    }
}

/// The part of a request both `send` and `stream` share: connect, write, read the head,
/// and turn low-level errors into ones that say which phase failed.
private struct Exchange: Sendable {
    let endpoint: HTTPEndpoint
    let timeout: Duration
    let connectTimeout: Duration
    let slot: CancellationSlot
    let sshPool: SSHConnectionPool?

    var cancelled: HTTPError {
        HTTPError(.cancelled, endpoint: endpoint.description, detail: "cancelled")
    }

    /// Connects, sends `request` and reads the response head. `sentWhole` is false when the
    /// server answered before the whole body was sent (the connection cannot be reused).
    func open(_ request: HTTPRequest) throws(HTTPError) -> (any ConnectionStream, HTTPResponseReader, ResponseHead, sentWhole: Bool) {
        guard let sshPool else { return try open(request, connection: nil) }
        let connection = sshPool.connection()
        do throws(HTTPError) {
            return try open(request, connection: connection)
        } catch {
            // A kept-alive ssh child can die while idle; a request that got no answer on it is
            // sent once more on a new child when sending it twice is harmless.
            let idempotent = ["GET", "HEAD"].contains(request.method.uppercased()) && request.bodySource == nil
            let lost = error.kind == .connect || error.kind == .reset
            guard connection.reused, !connection.receivedAnything, idempotent, lost, !slot.isCancelled else {
                throw error
            }
            return try open(request, connection: sshPool.connection(reuse: false))
        }
    }

    private func open(_ request: HTTPRequest, connection: SSHConnection?) throws(HTTPError)
        -> (any ConnectionStream, HTTPResponseReader, ResponseHead, sentWhole: Bool) {
        // Validated and opened before connecting: a bad header or a missing file never reaches the server.
        // A kept ssh child handed over for this request goes back unused when it fails here.
        let body: OutgoingBody
        do throws(HTTPError) { body = try OutgoingBody(request, endpoint: endpoint) } catch {
            connection?.release(reusable: true)
            throw error
        }
        defer { body.close() }
        let wireHead: [UInt8]
        do throws(HTTPError) {
            wireHead = try request.head(for: endpoint, framing: body.framing)
            if slot.isCancelled { throw cancelled }
        } catch {
            connection?.release(reusable: true)
            throw error
        }
        let socket: any ConnectionStream = if let connection { connection } else {
            try guarding(phase: "connecting") { () throws(HTTPError) in try makeConnection(to: endpoint) }
        }
        slot.attach(socket)
        do throws(HTTPError) {
            try guarding(phase: "connecting") { () throws(HTTPError) in
                try socket.connect(timeout: connectTimeout)
            }
            // A streamed body may take far longer than `timeout` to send (gigabytes of image):
            // then `timeout` limits each wait for progress, and the whole-response limit
            // starts once the body is out.
            if body.isStreamed {
                socket.setLimits(deadline: nil, idleTimeout: timeout)
            } else {
                socket.setLimits(deadline: .now + timeout, idleTimeout: nil)
            }
            var upload = RequestUpload(socket: socket, reader: HTTPResponseReader(stream: socket, endpoint: endpoint.description),
                                       method: request.method)
            let early = try guarding(phase: body.isStreamed ? "without progress sending the request" : "sending the request") {
                () throws(HTTPError) in try upload.send(head: wireHead, body: body)
            }
            var reader = upload.reader
            if body.isStreamed { socket.setLimits(deadline: .now + timeout, idleTimeout: nil) }
            if let early { return (socket, reader, early, false) }
            let head = try guarding(phase: "waiting for the response") { () throws(HTTPError) in
                try reader.readHead(method: request.method)
            }
            return (socket, reader, head, true)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Runs `body`, reporting any failure as cancellation once the request was cancelled
    /// (closing the socket makes reads fail in other ways) and naming the phase of a timeout.
    func guarding<Value>(phase: String, _ body: () throws(HTTPError) -> Value) throws(HTTPError) -> Value {
        do throws(HTTPError) {
            return try body()
        } catch {
            if slot.isCancelled { throw cancelled }
            if error.kind == .timeout {
                throw HTTPError(.timeout, endpoint: endpoint.description,
                                detail: "timed out after \(describe(timeout)) \(phase)")
            }
            throw error
        }
    }
}
