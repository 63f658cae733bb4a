import Foundation

/// A request as the test server received it.
public struct HTTPServerRequest: Sendable {
    /// The method, e.g. "POST".
    public var method: String
    /// The request target as sent, including the query string.
    public var path: String
    /// Header fields in order, names as sent.
    public var headers: [(String, String)]
    /// The body, read by Content-Length or de-chunked; empty when none, and when the server
    /// was made with `storesBodies: false` (then only `bodyCount` and `bodyChecksum` tell).
    public var body: [UInt8]
    /// How many body bytes arrived (de-chunked).
    public var bodyCount: Int
    /// The `HTTPTestChecksum` of the body bytes that arrived (de-chunked).
    public var bodyChecksum: UInt64
    /// How many chunks a chunked body came in (the final 0-chunk not counted); 0 otherwise.
    public var chunkCount: Int
    /// Whether the body was read to its end; false when the server answered before reading it.
    public var bodyComplete: Bool

    /// Creates a request, e.g. to call a handler directly.
    public init(method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        bodyCount = body.count
        var checksum = HTTPTestChecksum()
        checksum.update(body)
        bodyChecksum = checksum.value
        chunkCount = 0
        bodyComplete = true
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    /// The body decoded as UTF-8, invalid sequences replaced.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A 64-bit checksum (FNV-1a over little-endian 8-byte words, then the length) that a
/// test and the server can both compute piece by piece, however the bytes are split, so a
/// large body need not be held in memory to be compared. Word-wise to stay fast unoptimized.
public struct HTTPTestChecksum: Sendable, Equatable {
    private static let prime: UInt64 = 0x100_0000_01b3
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    private var pending: UInt64 = 0
    private var pendingCount = 0
    private var count = 0

    /// The checksum of nothing.
    public init() {}

    /// The checksum of everything added so far.
    public var value: UInt64 {
        var result = hash
        if pendingCount > 0 { result = (result ^ pending) &* Self.prime }
        return (result ^ UInt64(count)) &* Self.prime
    }

    /// Adds `bytes` to the checksum.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(raw: UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update(raw: $0) } }
    }

    /// Adds the bytes at `raw` to the checksum.
    public mutating func update(raw: UnsafeRawBufferPointer) {
        let total = raw.count
        count += total
        var index = 0
        while pendingCount > 0 && index < total {
            add(raw[index])
            index += 1
        }
        while total - index >= 8 {
            hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))) &* Self.prime
            index += 8
        }
        while index < total {
            add(raw[index])
            index += 1
        }
    }

    private mutating func add(_ byte: UInt8) {
        pending |= UInt64(byte) << (8 * UInt64(pendingCount))
        pendingCount += 1
        if pendingCount == 8 {
            hash = (hash ^ pending) &* Self.prime
            pending = 0
            pendingCount = 0
        }
    }
}

/// One write of a reply, after an optional delay and an optional gate.
public struct HTTPServerChunk: Sendable {
    /// The bytes to write (for `.chunked`, the chunk's data before encoding).
    public var bytes: [UInt8]
    /// How long to wait before writing.
    public var delay: Duration
    /// A gate to wait for before writing (after the delay).
    public var gate: HTTPTestGate?

    /// A chunk of raw bytes.
    public init(bytes: [UInt8], delay: Duration = .zero, after gate: HTTPTestGate? = nil) {
        self.bytes = bytes
        self.delay = delay
        self.gate = gate
    }

    /// A chunk of UTF-8 text.
    public init(_ text: String, delay: Duration = .zero, after gate: HTTPTestGate? = nil) {
        self.init(bytes: Array(text.utf8), delay: delay, after: gate)
    }
}

/// What the test server does with a request.
public indirect enum HTTPServerReply: Sendable {
    /// A complete response; Content-Length is added unless the headers frame the body themselves.
    case response(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
    /// A chunked response, one write per chunk (each after its delay and gate), then the trailer.
    case chunked(status: Int, headers: [(String, String)] = [], chunks: [HTTPServerChunk], trailers: [(String, String)] = [])
    /// Arbitrary bytes, written piece by piece: for malformed responses and pieces split mid-syntax.
    case raw([HTTPServerChunk])
    /// The reply cut off after `afterBytes` bytes of its wire form; with `reset` a TCP connection
    /// is reset (RST) rather than closed.
    case cutOff(HTTPServerReply, afterBytes: Int, reset: Bool = false)
    /// Reads the request and never answers; the connection ends when the client leaves or the server stops.
    case stall
    /// A chunked response whose chunks `produce` writes as they happen (e.g. watch events),
    /// until it returns; the connection's thread runs it. See `HTTPServerStreamWriter`.
    case streamed(status: Int, headers: [(String, String)] = [], produce: @Sendable (HTTPServerStreamWriter) -> Void)

    /// A text response.
    public static func text(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> HTTPServerReply {
        .response(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(body.utf8))
    }

    /// A JSON response with `body` sent as is.
    public static func json(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> HTTPServerReply {
        .response(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(body.utf8))
    }

    /// The reply as the server carries it out: pauses and writes, in order.
    var steps: [TestServerStep] {
        switch self {
        case .response(let status, let headers, let body):
            var all = headers
            let framed = headers.contains { ["content-length", "transfer-encoding"].contains($0.0.lowercased()) }
            if !framed { all.append(("Content-Length", String(body.count))) }
            return [.write(Self.head(status: status, headers: all) + body)]
        case .chunked(let status, let headers, let chunks, let trailers):
            var steps: [TestServerStep] = [.write(Self.head(status: status, headers: headers + [("Transfer-Encoding", "chunked")]))]
            for chunk in chunks where !chunk.bytes.isEmpty {
                steps.append(.pause(chunk.delay, chunk.gate))
                steps.append(.write(Array("\(String(chunk.bytes.count, radix: 16))\r\n".utf8) + chunk.bytes + Array("\r\n".utf8)))
            }
            let trailer = trailers.map { "\($0.0): \($0.1)\r\n" }.joined()
            steps.append(.write(Array("0\r\n\(trailer)\r\n".utf8)))
            return steps
        case .raw(let pieces):
            return pieces.flatMap { [TestServerStep.pause($0.delay, $0.gate), .write($0.bytes)] }
        case .cutOff(let reply, let limit, let reset):
            var budget = limit
            var steps: [TestServerStep] = []
            for step in reply.steps {
                guard case .write(let bytes) = step else { steps.append(step); continue }
                steps.append(.write(Array(bytes.prefix(budget))))
                budget -= min(budget, bytes.count)
                if budget == 0 { break }
            }
            steps.append(reset ? .reset : .close)
            return steps
        case .stall:
            return [.stall]
        case .streamed(let status, let headers, let produce):
            return [.write(Self.head(status: status, headers: headers + [("Transfer-Encoding", "chunked")])), .stream(produce)]
        }
    }

    private static func head(status: Int, headers: [(String, String)]) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(reason(status))\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Connection: close\r\n\r\n"
        return Array(text.utf8)
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Entity"
        case 500: return "Internal Server Error"
        default: return "Status"
        }
    }
}

/// What a connection thread does next.
enum TestServerStep: Sendable {
    case pause(Duration, HTTPTestGate?)
    case write([UInt8])
    case stall
    case close
    case reset
    case stream(@Sendable (HTTPServerStreamWriter) -> Void)
}
