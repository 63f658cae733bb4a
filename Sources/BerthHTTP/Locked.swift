import BerthSystem

/// A value guarded by a lock, shared between the thread doing blocking I/O and the
/// tasks that may cancel it. Kept internal: callers never see the lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = ThreadLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Formats a `Duration` the way error messages quote timeouts: "60s", "1.5s", "300ms".
func describe(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
    if milliseconds < 1000 { return "\(milliseconds)ms" }
    if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
    return String(cFormat: "%.1fs", Double(milliseconds) / 1000)
}
