/// Where the body of a request comes from. Large bodies (an image tarball for
/// `POST /images/create?fromSrc=-`, a build context for `POST /build`) are streamed onto
/// the connection as they are read or produced, never held in memory whole.
public enum HTTPBody: Sendable {
    /// Bytes in memory, sent with Content-Length (Content-Type defaults to application/json).
    case bytes([UInt8])
    /// A file read and sent in 64 KiB pieces. A regular file is sent with Content-Length
    /// from its size when the request starts; anything else (a pipe) is sent chunked until
    /// its end. A file that shrinks while it is sent fails the request.
    case file(path: String)
    /// Bytes written by a closure run on the request's I/O thread: each non-empty `write`
    /// becomes one chunk of a `Transfer-Encoding: chunked` body (or, when the request sets
    /// Content-Length itself, goes out as is and must add up to it). `write` blocks while the
    /// connection is busy and throws when the request cannot go on (peer gone, cancelled,
    /// server answered early); the producer should let that error propagate. An error the
    /// producer throws itself aborts the request with kind `.requestBody`.
    case producer(@Sendable (_ write: (ArraySlice<UInt8>) throws -> Void) throws -> Void)
}
