/// A failure to complete an HTTP exchange. HTTP error statuses (404, 500) are not
/// errors: they come back as an `HTTPResponse`.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, coarsely enough to decide whether to retry.
    public enum Kind: Sendable, Equatable {
        /// The endpoint string or socket path cannot be used at all.
        case invalidEndpoint
        /// No connection could be opened (refused, no such socket, unresolvable host, connect timeout).
        case connect
        /// The connection was lost before the response was complete.
        case reset
        /// The peer stopped answering for longer than the configured timeout.
        case timeout
        /// The peer sent something that is not HTTP/1.1 as this client understands it.
        case protocolError
        /// The request was cancelled by its task or by `HTTPStream.cancel()`.
        case cancelled
        /// TLS could not be set up or the server and berth did not accept each other: a
        /// certificate not signed by the given CA, for another name, or a client certificate
        /// missing or refused. `detail` says which, with OpenSSL's reason in parentheses.
        case tls
        /// The request body could not be produced: its file cannot be read or changed size,
        /// or its producer threw (the producer's message is in `detail`).
        case requestBody
    }

    /// The category of failure.
    public var kind: Kind
    /// The endpoint in URL form, e.g. "unix:///var/run/docker.sock".
    public var endpoint: String
    /// A lower-case phrase saying what happened, e.g. "connection refused".
    public var detail: String
    /// Whether trying again later may succeed (a daemon restarting, a socket not there yet).
    public var isTransient: Bool

    /// Creates an error; `isTransient` defaults from the kind.
    public init(_ kind: Kind, endpoint: String, detail: String, isTransient: Bool? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.detail = detail
        self.isTransient = isTransient ?? HTTPError.defaultTransience(kind)
    }

    /// One line naming the endpoint, e.g. "cannot reach unix:///x.sock: connection refused".
    public var description: String {
        switch kind {
        case .invalidEndpoint: return "invalid endpoint \(endpoint): \(detail)"
        case .connect: return "cannot reach \(endpoint): \(detail)"
        case .reset: return "connection to \(endpoint) lost: \(detail)"
        case .timeout: return "no answer from \(endpoint): \(detail)"
        case .protocolError: return "bad HTTP response from \(endpoint): \(detail)"
        case .cancelled: return "request to \(endpoint) cancelled"
        case .requestBody: return "cannot send the request body to \(endpoint): \(detail)"
        case .tls:
            // Named as host:port, as a user would type it into openssl s_client -connect.
            let address = endpoint.hasPrefix("https://") ? String(endpoint.dropFirst("https://".count)) : endpoint
            return "TLS handshake with \(address) failed: \(detail)"
        }
    }

    private static func defaultTransience(_ kind: Kind) -> Bool {
        switch kind {
        case .connect, .reset, .timeout: return true
        case .invalidEndpoint, .protocolError, .cancelled, .requestBody, .tls: return false
        }
    }
}
