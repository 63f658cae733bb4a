/// A response whose body is read as it arrives: Docker's GET /events, build and pull progress.
///
/// The head is already in; the body is read by a thread of its own once `chunks` or
/// `lines` is first asked for. The body can be consumed once, through one of the two.
/// Whatever status the server sent, the body is there to read (Docker explains errors in it).
public final class HTTPStream: Sendable {
    /// The status code of the response.
    public let status: Int
    /// Header fields with lower-cased names.
    public let headers: [String: String]

    private let pending: Locked<StreamPending>
    private let socket: any ByteStream
    private let idleTimeout: Duration?
    private let endpoint: String

    init(head: ResponseHead, reader: HTTPResponseReader, socket: any ByteStream, idleTimeout: Duration?) {
        status = head.status
        headers = head.headers
        pending = Locked(StreamPending(reader: reader))
        self.socket = socket
        self.idleTimeout = idleTimeout
        endpoint = reader.endpoint
    }

    deinit {
        // Once a reader thread owns the body, the stream it feeds may outlive this object.
        let unread = pending.withLock { $0.reader != nil }
        if unread { socket.close() }
    }

    /// The body as it arrives, de-chunked, in pieces of whatever size the network delivers.
    /// Ends normally at the end of the body or after `cancel()`; throws `HTTPError` when the
    /// connection fails or stays idle longer than the idle timeout.
    public var chunks: AsyncThrowingStream<[UInt8], Error> {
        consume(splittingLines: false)
    }

    /// Newline-delimited records (Docker sends one JSON object per line), reassembled across
    /// chunk boundaries, without line endings; empty lines are skipped.
    public var lines: AsyncThrowingStream<[UInt8], Error> {
        consume(splittingLines: true)
    }

    /// A refusal's explanation: the body read whole (at most `limit` bytes, then cut), and the
    /// connection closed. Read errors end it early; what came is what the server said.
    public func refusalBody(limit: Int = 65_536) async -> [UInt8] {
        var body: [UInt8] = []
        do { for try await chunk in chunks { body += chunk; if body.count > limit { break } } } catch {}
        cancel()
        return body
    }

    /// Closes the connection; a consumer waiting for the next piece sees the stream end.
    public func cancel() {
        pending.withLock { p in
            p.cancelled = true
            p.reader = nil
        }
        socket.close()
    }

    private func consume(splittingLines: Bool) -> AsyncThrowingStream<[UInt8], Error> {
        let (stream, continuation) = AsyncThrowingStream<[UInt8], Error>.makeStream()
        let (taken, cancelled) = pending.withLock { p in
            defer { p.reader = nil }
            return (p.reader, p.cancelled)
        }
        guard let reader = taken else {
            if cancelled {
                continuation.finish()
            } else {
                continuation.finish(throwing: HTTPError(
                    .protocolError, endpoint: endpoint, detail: "the body of this stream is already being read"))
            }
            return stream
        }
        let socket = self.socket
        // A consumer that stops listening (its task cancelled, the stream dropped) must not
        // leave the connection open for hours.
        continuation.onTermination = { _ in socket.close() }
        let pump = BodyPump(reader: reader, socket: socket, idleTimeout: idleTimeout,
                            pending: pending, continuation: continuation)
        BlockingThread.start(name: "berth-http body") { pump.run(splittingLines: splittingLines) }
        return stream
    }
}

/// The body reader until a consumer takes it, and whether `cancel()` was called.
private struct StreamPending: Sendable {
    var reader: HTTPResponseReader?
    var cancelled = false
}

/// Moves the body of an `HTTPStream` from the socket into its `AsyncThrowingStream`.
private struct BodyPump: Sendable {
    let reader: HTTPResponseReader
    let socket: any ByteStream
    let idleTimeout: Duration?
    let pending: Locked<StreamPending>
    let continuation: AsyncThrowingStream<[UInt8], Error>.Continuation

    func run(splittingLines: Bool) {
        var reader = reader
        var splitter = LineSplitter()
        defer { socket.close() }
        do throws(HTTPError) {
            while let piece = try reader.nextBodyChunk() {
                if splittingLines {
                    for line in splitter.push(piece) { continuation.yield(line) }
                } else if !piece.isEmpty {
                    continuation.yield(piece)
                }
            }
            if splittingLines, let last = splitter.finish() { continuation.yield(last) }
            continuation.finish()
        } catch {
            // After cancel() or a consumer leaving, the failed read is the cancellation itself.
            if error.kind == .cancelled || pending.withLock({ $0.cancelled }) {
                continuation.finish()
            } else if error.kind == .timeout, let idleTimeout {
                continuation.finish(throwing: HTTPError(
                    .timeout, endpoint: reader.endpoint, detail: "no data for \(describe(idleTimeout)) on the stream"))
            } else {
                continuation.finish(throwing: error)
            }
        }
    }
}
