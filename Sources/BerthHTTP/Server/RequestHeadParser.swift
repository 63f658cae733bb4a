import FoundationEssentials

/// Parses the head of an HTTP/1.x request (request line and headers, CRLF line ends), the
/// part `HTTPListener` reads before it knows how long the body is.
public enum RequestHeadParser {
    public struct Head: Sendable {
        public var method: String
        public var path: String
        public var query: String?
        public var headers: [(name: String, value: String)]
        /// The body's length from Content-Length; 0 without one.
        public var contentLength: Int
        /// Whether the client waits for "100 Continue" before sending the body.
        public var expectsContinue: Bool
    }

    /// A request the listener refuses, with the status and the line it answers.
    public struct Refusal: Error, Sendable, Equatable {
        public var status: Int
        public var message: String
    }

    /// The index just past the blank line ending the head, or nil if it has not all arrived.
    public static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    /// Parses `head` (up to and including the blank line).
    public static func parse(_ head: ArraySlice<UInt8>) throws(Refusal) -> Head {
        func bad(_ why: String) -> Refusal { Refusal(status: 400, message: "bad request: \(why)") }
        guard let text = String(validating: head, as: UTF8.self) else { throw bad("the head is not UTF-8") }
        var lines = text.components(separatedBy: "\r\n")
        while lines.last == "" { lines.removeLast() }
        guard let requestLine = lines.first else { throw bad("no request line") }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isUppercase }), parts[2].hasPrefix("HTTP/") else {
            throw bad("the request line is not METHOD TARGET HTTP/1.1")
        }
        guard parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else { throw Refusal(status: 505, message: "only HTTP/1.1 is served here") }
        let target = parts[1]
        guard target.hasPrefix("/") else { throw bad("the request target must be a path starting with /") }
        var path = target, query: String?
        if let mark = target.firstIndex(of: "?") {
            path = target[..<mark]
            query = String(target[target.index(after: mark)...])
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if line.hasPrefix(" ") || line.hasPrefix("\t") { throw bad("folded header lines are not accepted") }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { throw bad("header line without a name and colon") }
            let name = line[..<colon]
            guard !name.contains(where: { $0 == " " || $0 == "\t" }) else { throw bad("space in header name '\(name)'") }
            let value = line[line.index(after: colon)...].trimmingSpaces
            headers.append((name.lowercased(), value))
        }
        if headers.contains(where: { $0.name == "transfer-encoding" }) {
            throw Refusal(status: 411, message: "send the body with a Content-Length; Transfer-Encoding is not accepted here")
        }
        let lengths = Set(headers.filter { $0.name == "content-length" }.map(\.value))
        guard lengths.count <= 1 else { throw bad("conflicting Content-Length headers") }
        var length = 0
        if let value = lengths.first {
            guard !value.isEmpty, value.utf8.allSatisfy({ (48...57).contains($0) }), let parsed = Int(value) else {
                throw bad("Content-Length '\(value)' is not a number")
            }
            length = parsed
        }
        let expects = headers.first { $0.name == "expect" }?.value.lowercased() == "100-continue"
        return Head(method: String(parts[0]), path: String(path), query: query, headers: headers,
                    contentLength: length, expectsContinue: expects)
    }
}
