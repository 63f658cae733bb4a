/// The byte stream under HTTP: a connected socket today, a TLS session later.
///
/// The HTTP layer reads and writes from one thread at a time, but `close()` may come
/// from any thread while a `read` or `write` is blocked (that is how cancellation works):
/// it must make them return promptly, throwing `HTTPError` of kind `.cancelled`.
public protocol ByteStream: Sendable {
    /// Writes all of `bytes`, blocking until they are handed to the kernel.
    func write(_ bytes: [UInt8]) throws(HTTPError)
    /// Appends at most `max` bytes to `buffer`, blocking until at least one is available.
    /// Returns how many were appended; 0 means the peer closed its side (end of stream).
    func read(into buffer: inout [UInt8], max: Int) throws(HTTPError) -> Int
    /// Closes the stream, waking any blocked `read` or `write`. Safe to call more than once.
    func close()
}
