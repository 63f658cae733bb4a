/// The status line and header fields of a response, and how its body is delimited.
struct ResponseHead: Sendable {
    var status: Int
    var headers: [String: String]
}

/// Reads one HTTP/1.1 response from a `ByteStream`: the head, then the body piece by
/// piece as it arrives, de-chunked. Used from one thread at a time.
struct HTTPResponseReader: Sendable {
    private enum Framing: Sendable {
        case length(remaining: Int, total: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case untilClose
        case done
    }

    /// Heads and chunk-size lines beyond this are not HTTP any server here would send.
    private static let maximumHeadBytes = 256 * 1024
    private static let readSize = 64 * 1024

    let stream: any ByteStream
    let endpoint: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var framing = Framing.done
    /// Trailer fields of a chunked body, available once the body is done.
    private(set) var trailers: [String: String] = [:]
    /// Whether the body ends where the connection ends (no length, not chunked, or a 101).
    private var endsAtClose = false

    /// Whether the response was read to its framed end with nothing after it, so the
    /// connection could carry another request.
    var leavesConnectionReusable: Bool {
        if case .done = framing { return !endsAtClose && available == 0 }
        return false
    }

    init(stream: any ByteStream, endpoint: String) {
        self.stream = stream
        self.endpoint = endpoint
    }

    /// Reads the head of the final response, skipping interim 1xx responses, and decides
    /// how the body is delimited; HEAD, 1xx, 204 and 304 responses have no body.
    mutating func readHead(method: String) throws(HTTPError) -> ResponseHead {
        while true {
            guard let statusLine = try readLine(what: "the status line") else {
                throw HTTPError(.reset, endpoint: endpoint, detail: "connection closed before a response arrived")
            }
            let text = String(decoding: statusLine, as: UTF8.self)
            let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
                  let status = Int(parts[1]), status >= 100 else {
                throw protocolError("status line '\(text.prefix(80))' is not HTTP/1.x")
            }
            let headers = try readFields(what: "the headers")
            // 101 hands the connection over to another protocol: the caller gets it as final.
            if status < 200 && status != 101 { continue }
            framing = try bodyFraming(status: status, method: method, headers: headers)
            if case .untilClose = framing { endsAtClose = true }
            return ResponseHead(status: status, headers: headers)
        }
    }

    /// The next piece of the body as soon as any of it is available; nil once it is complete.
    mutating func nextBodyChunk() throws(HTTPError) -> [UInt8]? {
        while true {
            switch framing {
            case .done:
                return nil
            case .length(let remaining, let total):
                if remaining == 0 { framing = .done; return nil }
                if available == 0, try fill() == 0 {
                    throw HTTPError(.reset, endpoint: endpoint,
                                    detail: "connection closed after \(total - remaining) of \(total) body bytes")
                }
                let piece = take(min(remaining, available))
                framing = .length(remaining: remaining - piece.count, total: total)
                return piece
            case .untilClose:
                if available == 0, try fill() == 0 { framing = .done; return nil }
                return take(available)
            case .chunkSize:
                guard let line = try readLine(what: "a chunk size") else { throw closedInChunkedBody() }
                let text = String(decoding: line, as: UTF8.self)
                let sizeText = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
                guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0 else {
                    throw protocolError("chunk size '\(text.prefix(40))' is not hexadecimal")
                }
                if size == 0 {
                    trailers = try readFields(what: "the trailer")
                    framing = .done
                    return nil
                }
                framing = .chunkData(remaining: size)
            case .chunkData(let remaining):
                if available == 0, try fill() == 0 { throw closedInChunkedBody() }
                let piece = take(min(remaining, available))
                framing = remaining == piece.count ? .chunkEnd : .chunkData(remaining: remaining - piece.count)
                return piece
            case .chunkEnd:
                guard let line = try readLine(what: "a chunk end") else { throw closedInChunkedBody() }
                if !line.isEmpty { throw protocolError("chunk data is longer than its size") }
                framing = .chunkSize
            }
        }
    }

    // MARK: - Private

    private var available: Int { buffer.count - start }

    private mutating func take(_ count: Int) -> [UInt8] {
        let piece = Array(buffer[start..<start + count])
        start += count
        return piece
    }

    /// Reads more bytes into the buffer, dropping consumed bytes first so it stays small.
    private mutating func fill() throws(HTTPError) -> Int {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        return try stream.read(into: &buffer, max: HTTPResponseReader.readSize)
    }

    /// One line without its CRLF (a bare LF is accepted); nil at a clean end of stream.
    private mutating func readLine(what: String) throws(HTTPError) -> [UInt8]? {
        var scanned = start
        while true {
            if let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Array(buffer[start..<end])
                start = newline + 1
                return line
            }
            if available > HTTPResponseReader.maximumHeadBytes {
                throw protocolError("\(what) is longer than \(HTTPResponseReader.maximumHeadBytes) bytes")
            }
            scanned = buffer.count - start
            if try fill() == 0 {
                if available == 0 { return nil }
                throw HTTPError(.reset, endpoint: endpoint, detail: "connection closed in the middle of \(what)")
            }
            scanned += start
        }
    }

    /// Header or trailer fields up to the empty line, names lower-cased, repeats joined.
    private mutating func readFields(what: String) throws(HTTPError) -> [String: String] {
        var fields: [String: String] = [:]
        var total = 0
        while true {
            guard let line = try readLine(what: what) else {
                throw HTTPError(.reset, endpoint: endpoint, detail: "connection closed in the middle of \(what)")
            }
            if line.isEmpty { return fields }
            total += line.count
            if total > HTTPResponseReader.maximumHeadBytes {
                throw protocolError("\(what) is longer than \(HTTPResponseReader.maximumHeadBytes) bytes")
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
                throw protocolError("header line '\(text.prefix(80))' has no name")
            }
            let name = text[..<colon].lowercased()
            let value = text[text.index(after: colon)...].trimmingSpaces
            fields[name] = fields[name].map { "\($0), \(value)" } ?? value
        }
    }

    private func bodyFraming(status: Int, method: String, headers: [String: String]) throws(HTTPError) -> Framing {
        if method.uppercased() == "HEAD" || status < 200 || status == 204 || status == 304 { return .done }
        if status == 101 { return .untilClose }
        if let coding = headers["transfer-encoding"] {
            let last = coding.split(separator: ",").last.map { String($0).trimmingSpaces.lowercased() }
            // Without chunked as the final coding, only the end of the connection ends the body.
            return last == "chunked" ? .chunkSize : .untilClose
        }
        if let lengthText = headers["content-length"] {
            // Repeated identical values arrive joined as "5, 5"; differing ones are an attack or a bug.
            let values = Set(lengthText.split(separator: ",").map { String($0).trimmingSpaces })
            guard values.count == 1, let length = Int(values.first!), length >= 0 else {
                throw protocolError("Content-Length '\(lengthText)' is not a single number")
            }
            return .length(remaining: length, total: length)
        }
        return .untilClose
    }

    private func protocolError(_ detail: String) -> HTTPError {
        HTTPError(.protocolError, endpoint: endpoint, detail: detail)
    }

    private func closedInChunkedBody() -> HTTPError {
        HTTPError(.reset, endpoint: endpoint, detail: "connection closed in the middle of the chunked body")
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
