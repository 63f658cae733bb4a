/// One request as `HTTPListener` read it: the head parsed, the whole body in memory
/// (bounded by `HTTPListener.Limits.body`).
public struct ServerRequest: Sendable {
    public var method: String
    /// The path of the request target, without the query.
    public var path: String
    public var query: String?
    /// Header names in lower case, in the order received.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Who sent it: the peer's IP address, or "unix socket".
    public var remote: String

    public init(method: String, path: String, query: String? = nil, headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], remote: String = "test") {
        self.method = method; self.path = path; self.query = query; self.headers = headers; self.body = body; self.remote = remote
    }

    /// The first value of the header `name` (any case).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }
}

/// What a handler answers. The listener adds Content-Length and `Connection: close`.
public struct ServerResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// A plain-text answer; a line ending is added.
    public static func text(_ status: Int, _ line: String, headers: [String: String] = [:]) -> ServerResponse {
        var all = headers
        all["Content-Type"] = "text/plain; charset=utf-8"
        return ServerResponse(status: status, headers: all, body: Array((line + "\n").utf8))
    }

    /// The bytes on the wire: status line, headers in a stable order, body.
    func serialized() -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(ServerResponse.reason(status))\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}
