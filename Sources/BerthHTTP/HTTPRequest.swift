/// One HTTP/1.1 request as the client sends it.
public struct HTTPRequest: Sendable {
    /// The method, e.g. "GET", "POST".
    public var method: String
    /// The path including the query string, already percent-encoded: "/v1.43/containers/json?all=1".
    public var path: String
    /// Extra header fields in order. Host, Content-Length, Connection and (for a body)
    /// Content-Type are added when absent.
    public var headers: [(String, String)]
    /// The body; nil sends none.
    public var body: [UInt8]?

    /// Creates a request.
    public init(method: String, path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The wire form of the request, with the default headers filled in.
    /// Line breaks in the request line or headers would let a caller smuggle a second
    /// request onto the connection, so they are rejected rather than sent.
    func serialized(for endpoint: HTTPEndpoint) throws(HTTPError) -> [UInt8] {
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
        func has(_ name: String) -> Bool {
            headers.contains { $0.0.lowercased() == name }
        }
        var head = "\(method) \(path) HTTP/1.1\r\n"
        if !has("host") { head += "Host: \(endpoint.hostHeader)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body {
            if !has("content-length") { head += "Content-Length: \(body.count)\r\n" }
            if !has("content-type") { head += "Content-Type: application/json\r\n" }
        } else if ["POST", "PUT", "PATCH"].contains(method.uppercased()) && !has("content-length") {
            // Some servers answer 411 Length Required to a bodiless POST without it.
            head += "Content-Length: 0\r\n"
        }
        // One connection per request: closing keeps the framing rules simple on both sides.
        if !has("connection") { head += "Connection: close\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if let body { bytes.append(contentsOf: body) }
        return bytes
    }
}
