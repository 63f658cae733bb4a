/// One connection of an `HTTPListener`: reads one request within the limits, answers it
/// through the handler (or with the limit's status), and lets the listener close it.
struct ListenerConnection: Sendable {
    let stream: SocketByteStream
    let remote: String
    let limits: HTTPListener.Limits
    let handler: HTTPListener.Handler

    func serve() {
        stream.setLimits(deadline: .now + limits.request, idleTimeout: nil)
        let response: ServerResponse
        do {
            guard let request = try readRequest() else { return }
            response = handler(request)
        } catch let refusal as RequestHeadParser.Refusal {
            response = .text(refusal.status, refusal.message)
        } catch let error as HTTPError where error.kind == .timeout {
            response = .text(408, "request not received within \(describe(limits.request))")
        } catch {
            // The peer went away or the listener is stopping: nobody to answer.
            return
        }
        // The answer gets its own time: a slow handler must not make it a timeout.
        stream.setLimits(deadline: .now + limits.request, idleTimeout: nil)
        try? stream.write(response.serialized())
        ListenerConnection.drain(stream, for: .seconds(1))
    }

    /// Ends the answer and reads what the client still sends (the body of a refused request)
    /// until it closes or `time` passes, so the close does not reset a TCP connection under
    /// the answer.
    static func drain(_ stream: SocketByteStream, for time: Duration) {
        stream.shutdownWrite()
        stream.setLimits(deadline: .now + time, idleTimeout: nil)
        var scratch: [UInt8] = []
        while (try? stream.read(into: &scratch, max: 65536)) ?? 0 > 0 { scratch.removeAll(keepingCapacity: true) }
    }

    /// The request, or nil if the client closed before sending anything.
    private func readRequest() throws -> ServerRequest? {
        var buffer: [UInt8] = []
        var end: Int?
        while end == nil {
            let count = try stream.read(into: &buffer, max: 4096)
            if count == 0 {
                if buffer.isEmpty { return nil }
                throw RequestHeadParser.Refusal(status: 400, message: "bad request: the connection ended inside the request head")
            }
            end = RequestHeadParser.headEnd(in: buffer)
            if (end ?? buffer.count) > limits.head {
                throw RequestHeadParser.Refusal(status: 431, message: "the request head is over \(limits.head / 1024) KiB")
            }
        }
        let head = try RequestHeadParser.parse(buffer[..<end!])
        if head.contentLength > limits.body {
            throw RequestHeadParser.Refusal(status: 413, message: "the request body is \(head.contentLength) bytes, over the limit of \(limits.body)")
        }
        var body = Array(buffer[end!...])
        if head.expectsContinue && body.count < head.contentLength {
            try stream.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        while body.count < head.contentLength {
            if try stream.read(into: &body, max: min(65536, head.contentLength - body.count)) == 0 {
                throw RequestHeadParser.Refusal(status: 400, message: "bad request: the body ended after \(body.count) of \(head.contentLength) bytes")
            }
        }
        if body.count > head.contentLength { body.removeLast(body.count - head.contentLength) }
        return ServerRequest(method: head.method, path: head.path, query: head.query, headers: head.headers, body: body, remote: remote)
    }
}
