/// A complete HTTP response. Any status is a response, including 404 and 500.
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// Header fields with lower-cased names; repeated fields are joined with ", ".
    /// Trailer fields of a chunked body are merged in where they do not clash.
    public var headers: [String: String]
    /// The body, de-chunked.
    public var body: [UInt8]

    /// Creates a response, e.g. for a fake in a test.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The body decoded as UTF-8, invalid sequences replaced.
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }
}
