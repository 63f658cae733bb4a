import Foundation

/// What a `.streamed` reply writes with: one chunk per call, as things happen.
///
/// The producer runs on the connection's own thread and decides when to stop; `wait`
/// lets it idle while noticing a client that went away or a server that is stopping.
public final class HTTPServerStreamWriter: Sendable {
    private let writeBytes: @Sendable ([UInt8]) -> Bool
    private let waitFor: @Sendable (Duration) -> Bool
    private let closed = HTTPTestLocked(false)

    init(write: @escaping @Sendable ([UInt8]) -> Bool, wait: @escaping @Sendable (Duration) -> Bool) {
        writeBytes = write
        waitFor = wait
    }

    /// Whether a write or a wait found the client gone (or the server stopping).
    public var isClosed: Bool { closed.withLock { $0 } }

    /// Writes `bytes` as one chunk; false once the client is gone.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !isClosed else { return false }
        if bytes.isEmpty { return true }
        let frame = Array("\(String(bytes.count, radix: 16))\r\n".utf8) + bytes + Array("\r\n".utf8)
        return alive(writeBytes(frame))
    }

    /// Writes UTF-8 text as one chunk; false once the client is gone.
    @discardableResult
    public func write(_ text: String) -> Bool { write(Array(text.utf8)) }

    /// Waits `duration`, watching the connection: false if the client left or the server stops.
    public func wait(_ duration: Duration) -> Bool {
        guard !isClosed else { return false }
        return alive(waitFor(duration))
    }

    private func alive(_ ok: Bool) -> Bool {
        if !ok { closed.withLock { $0 = true } }
        return ok
    }
}
