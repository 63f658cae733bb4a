#if canImport(Glibc)
import Glibc
#endif

/// A regular file opened for streaming in fixed-size chunks, so that archiving or hashing a
/// large file never holds more than one chunk in memory.
///
/// The size is taken once, when the file is opened; a file that grows or shrinks while it is
/// read is an error, because a tar header (and a digest) already promised that size.
struct FileChunkReader: ~Copyable {
    /// The path as given, for error messages.
    let path: String
    /// The size reported by fstat(2) right after opening.
    let size: UInt64
    private let fd: Int32

    /// Opens `path` without following a final symbolic link: the context walk saw a regular
    /// file there, and a link swapped in since then must not send content from elsewhere.
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw SystemError.current("open", path: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = SystemError.current("stat", path: path)
            close(fd)
            throw error
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SystemError(operation: "read (not a regular file)", path: path, errno: EINVAL)
        }
        self.path = path
        self.fd = fd
        size = UInt64(max(info.st_size, 0))
    }

    deinit { close(fd) }

    /// The error for a file whose length changed between stat and read. EAGAIN because
    /// trying again later is exactly the remedy.
    static func changed(_ path: String) -> SystemError {
        SystemError(operation: "archive changing file", path: path, errno: EAGAIN)
    }

    /// Calls `body` with consecutive chunks of at most `chunkSize` bytes, exactly `size`
    /// bytes in all. Throws if the file ends early or has grown past `size`.
    func forEachChunk(chunkSize: Int = 256 * 1024, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var buffer = [UInt8](repeating: 0, count: max(chunkSize, 1))
        var remaining = size
        while remaining > 0 {
            let wanted = Int(min(UInt64(buffer.count), remaining))
            let count = try readSome(into: &buffer, count: wanted)
            if count == 0 { throw Self.changed(path) }
            remaining -= UInt64(count)
            try body(buffer[0..<count])
        }
        // One more byte means the file grew: the entry would silently be cut short.
        if try readSome(into: &buffer, count: 1) != 0 { throw Self.changed(path) }
    }

    private func readSome(into buffer: inout [UInt8], count: Int) throws -> Int {
        while true {
            let result = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
            if result >= 0 { return result }
            if errno == EINTR { continue }
            throw SystemError.current("read", path: path)
        }
    }
}
