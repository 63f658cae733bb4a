/// An HTTP/1.1 client for one endpoint (the Docker Engine, a Kubernetes API server).
///
/// Each request opens its own connection and runs its blocking I/O on a thread of its
/// own, so slow or endless responses never occupy Swift's cooperative thread pool.
public final class HTTPClient: Sendable {
    /// Where requests go.
    public let endpoint: HTTPEndpoint
    /// The longest a whole `send` may take after connecting, and the wait for a stream's head.
    public let timeout: Duration
    /// The longest opening a connection may take.
    public let connectTimeout: Duration

    /// Creates a client; nothing is opened until a request is sent.
    public init(endpoint: HTTPEndpoint, timeout: Duration = .seconds(60), connectTimeout: Duration = .seconds(5)) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// One request, whole response. Adds Host and Content-Length (and Content-Type:
    /// application/json when a body is given and none set). Handles Content-Length bodies,
    /// chunked transfer encoding (with trailers), and bodies ending at connection close;
    /// 1xx responses are skipped; HEAD/204/304 have no body. Any status is a response;
    /// only failures to exchange one throw.
    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let slot = CancellationSlot()
        let exchange = Exchange(endpoint: endpoint, timeout: timeout, connectTimeout: connectTimeout, slot: slot)
        let result = await BlockingThread.run(name: "berth-http \(request.method)", onCancel: { slot.cancel() }) {
            Result { () throws(HTTPError) -> HTTPResponse in
                let (socket, reader, head) = try exchange.open(request)
                defer { socket.close() }
                var body: [UInt8] = []
                var bodyReader = reader
                try exchange.guarding(phase: "reading the response") { () throws(HTTPError) in
                    while let piece = try bodyReader.nextBodyChunk() { body.append(contentsOf: piece) }
                }
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
        let exchange = Exchange(endpoint: endpoint, timeout: timeout, connectTimeout: connectTimeout, slot: slot)
        let result = await BlockingThread.run(name: "berth-http stream", onCancel: { slot.cancel() }) {
            Result { () throws(HTTPError) -> HTTPStream in
                let (socket, reader, head) = try exchange.open(request)
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

    var cancelled: HTTPError {
        HTTPError(.cancelled, endpoint: endpoint.description, detail: "cancelled")
    }

    func open(_ request: HTTPRequest) throws(HTTPError) -> (any ConnectionStream, HTTPResponseReader, ResponseHead) {
        // Validated and opened before connecting: a bad header or a missing file never reaches the server.
        let body = try OutgoingBody(request, endpoint: endpoint)
        defer { body.close() }
        let wireHead = try request.head(for: endpoint, framing: body.framing)
        if slot.isCancelled { throw cancelled }
        let socket = try guarding(phase: "connecting") { () throws(HTTPError) in
            try makeConnection(to: endpoint)
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
            if let early { return (socket, reader, early) }
            let head = try guarding(phase: "waiting for the response") { () throws(HTTPError) in
                try reader.readHead(method: request.method)
            }
            return (socket, reader, head)
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
