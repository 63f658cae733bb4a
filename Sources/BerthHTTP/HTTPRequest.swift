/// One HTTP/1.1 request as the client sends it.
public struct HTTPRequest: Sendable {
    /// The method, e.g. "GET", "POST".
    public var method: String
    /// The path including the query string, already percent-encoded: "/v1.43/containers/json?all=1".
    public var path: String
    /// Extra header fields in order. Host, Content-Length, Connection and (for a body)
    /// Content-Type are added when absent.
    public var headers: [(String, String)]
    /// Where the body comes from; nil sends none. Set by either initializer.
    public var bodySource: HTTPBody?

    /// The body when it is held in memory; nil when there is none or it is streamed
    /// (`bodySource` is `.file` or `.producer`). Setting it replaces `bodySource`.
    public var body: [UInt8]? {
        get {
            if case .bytes(let bytes)? = bodySource { return bytes }
            return nil
        }
        set { bodySource = newValue.map(HTTPBody.bytes) }
    }

    /// Creates a request with its body, if any, in memory.
    public init(method: String, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.bodySource = body.map(HTTPBody.bytes)
    }

    /// Creates a request whose body is streamed from a file or a producer (or, for
    /// `.bytes`, sent as `init(method:path:headers:body:)` would). Content-Type defaults to
    /// application/octet-stream for a file or producer; set it for other types
    /// (`application/x-tar` for a build context).
    public init(method: String, path: String, headers: [(String, String)] = [], streaming body: HTTPBody) {
        self.method = method
        self.path = path
        self.headers = headers
        self.bodySource = body
    }

    /// How the body goes onto the wire.
    enum BodyFraming: Sendable {
        case none
        /// Content-Length with this many bytes; `defaultType` unless the caller set one.
        case length(Int, defaultType: String)
        case chunked(defaultType: String)
    }

    /// Whether the caller set header `name` (lower-case).
    func has(_ name: String) -> Bool {
        headers.contains { $0.0.lowercased() == name }
    }

    /// The wire form of the request, with the default headers filled in.
    /// Line breaks in the request line or headers would let a caller smuggle a second
    /// request onto the connection, so they are rejected rather than sent.
    func serialized(for endpoint: HTTPEndpoint) throws(HTTPError) -> [UInt8] {
        var bytes = try head(for: endpoint, framing: body.map { .length($0.count, defaultType: "application/json") } ?? .none)
        if let body { bytes.append(contentsOf: body) }
        return bytes
    }

    /// The request line and header fields with the defaults filled in, for a body framed as `framing`.
    func head(for endpoint: HTTPEndpoint, framing: BodyFraming) throws(HTTPError) -> [UInt8] {
        func reject(_ what: String) -> HTTPError {
            HTTPError(.protocolError, endpoint: endpoint.description, detail: "\(what) contains a space or line break")
        }
        if method.isEmpty || method.contains(where: { $0 == " " || $0.isNewline }) { throw reject("method '\(method)'") }
        if !path.hasPrefix("/") && path != "*" {
            throw HTTPError(.protocolError, endpoint: endpoint.description, detail: "path '\(path)' does not start with /")
        }
        if path.contains(where: { $0 == " " || $0.isNewline }) { throw reject("path '\(path)'") }
        for (name, value) in headers {
            if name.isEmpty || name.contains(where: { $0 == " " || $0 == ":" || $0.isNewline }) {
                throw reject("header name '\(name)'")
            }
            if value.contains(where: { $0.isNewline }) {
                throw HTTPError(.protocolError, endpoint: endpoint.description, detail: "header \(name) contains a line break")
            }
        }
        var head = "\(method) \(path) HTTP/1.1\r\n"
        if !has("host") { head += "Host: \(endpoint.hostHeader)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        switch framing {
        case .length(let count, let type):
            if !has("content-length") { head += "Content-Length: \(count)\r\n" }
            if !has("content-type") { head += "Content-Type: \(type)\r\n" }
        case .chunked(let type):
            if has("content-length") {
                throw HTTPError(.protocolError, endpoint: endpoint.description,
                                detail: "a chunked body cannot also carry the caller's Content-Length")
            }
            if !has("transfer-encoding") { head += "Transfer-Encoding: chunked\r\n" }
            if !has("content-type") { head += "Content-Type: \(type)\r\n" }
        case .none:
            break
        }
        if case .none = framing, ["POST", "PUT", "PATCH"].contains(method.uppercased()) && !has("content-length") {
            // Some servers answer 411 Length Required to a bodiless POST without it.
            head += "Content-Length: 0\r\n"
        }
        // One connection per request: closing keeps the framing rules simple on both sides.
        // Over ssh a connection is an ssh login, kept alive for the next request.
        if !has("connection") && !endpoint.keepsConnections { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8)
    }
}
