import Foundation

/// A one-shot signal a test opens to let the server go on, e.g. to send the second line
/// of a stream only after the client has shown it received the first.
///
/// A server waiting at a gate gives up after `timeout` (so a failing test cannot hang)
/// and records that in `timedOut`, which a test can assert on.
public final class HTTPTestGate: Sendable {
    private struct State {
        var open = false
        var timedOut = false
    }

    private let state = HTTPTestLocked(State())
    /// How long a server waits at the gate before going on regardless.
    public let timeout: Duration

    /// Creates a closed gate.
    public init(timeout: Duration = .seconds(2)) {
        self.timeout = timeout
    }

    /// Opens the gate; waiting servers go on.
    public func open() {
        state.withLock { $0.open = true }
    }

    /// Whether the gate has been opened.
    public var isOpen: Bool { state.withLock { $0.open } }

    /// Whether a server stopped waiting because the timeout passed with the gate closed.
    public var timedOut: Bool { state.withLock { $0.timedOut } }

    func markTimedOut() {
        state.withLock { $0.timedOut = true }
    }
}

/// A value guarded by a lock, for the test server's shared state.
final class HTTPTestLocked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
