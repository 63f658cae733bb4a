#if canImport(Glibc)
import Glibc
#endif

/// A failed system call, carrying enough to tell an operator what broke and where.
///
/// The description reads like a sentence a person can act on, for example
/// `cannot open state/journal.jsonl: No space left on device`.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// What berth was trying to do, phrased to follow "cannot": `open`, `write to`, `fsync`.
    public var operation: String
    /// The file or directory involved, if any.
    public var path: String?
    /// The `errno` value reported by the failing call.
    public var errno: Int32

    /// Creates an error from an explicit errno value.
    public init(operation: String, path: String? = nil, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// Captures the calling thread's current `errno`. Call it immediately after the failing
    /// system call, before anything else can overwrite `errno`.
    public static func current(_ operation: String, path: String? = nil) -> SystemError {
        SystemError(operation: operation, path: path, errno: Glibc.errno)
    }

    /// The C library's text for `errno`, for example `No space left on device`.
    public var reason: String {
        guard let text = strerror(errno) else { return "error \(errno)" }
        return String(cString: text)
    }

    /// `cannot OPERATION PATH: REASON`, or without the path when there is none.
    public var description: String {
        if let path {
            return "cannot \(operation) \(path): \(reason)"
        }
        return "cannot \(operation): \(reason)"
    }
}
