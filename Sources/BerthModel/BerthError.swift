/// berth's one error type: a code scripts and retries can act on, a message a person can
/// act on, and the cause underneath (what the engine or the system said).
public struct BerthError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidSpec = "invalid-spec"
        case engineUnreachable = "engine-unreachable"
        case engineError = "engine-error"
        case conflict
        case notFound = "not-found"
        case unsupported
        case io
        case locked
        case refused
        case usage
        case cancelled
    }

    public var code: Code
    public var message: String
    public var cause: String?
    /// Transient failures (connection refused or reset, timeouts, 5xx) are retried; others never.
    public var isRetryable: Bool
    /// HTTP status the engine answered, when there was one.
    public var status: Int?

    public init(_ code: Code, _ message: String, cause: String? = nil, isRetryable: Bool = false, status: Int? = nil) {
        self.code = code; self.message = message; self.cause = cause; self.isRetryable = isRetryable; self.status = status
    }

    public var description: String { cause.map { "\(message): \($0)" } ?? message }
}
