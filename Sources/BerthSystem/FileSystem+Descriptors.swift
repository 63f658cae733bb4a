#if canImport(Glibc)
import Glibc
#endif

// Reading and writing plain descriptors, where berth used Foundation's FileHandle.
extension FileSystem {
    /// Reads from `fd` until end of file or `limit` bytes, retrying EINTR (as
    /// `FileHandle.read(upToCount:)`); nil when read(2) fails.
    public static func readBytes(_ fd: Int32, upTo limit: Int) -> [UInt8]? {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(max(limit, 1), 64 * 1024))
        while result.count < limit {
            let wanted = min(chunk.count, limit - result.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    /// Reads `fd` (stdin, a pipe) to its end; `name` says what it is in errors.
    public static func readToEnd(_ fd: Int32, name: String) throws -> [UInt8] {
        try readAll(fd, path: name)
    }

    /// Calls `body` with consecutive pieces of `fd` up to its end, so that a file of
    /// gigabytes is never held whole.
    public static func forEachChunk(of fd: Int32, path: String, chunkSize: Int = 1 << 20,
                                    _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError.current("read", path: path)
            }
            if count == 0 { return }
            try body(chunk[0..<count])
        }
    }

    /// Writes all of `bytes` to `fd` (stdout, stderr), retrying short writes and EINTR;
    /// false when write(2) fails (a closed pipe).
    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += count
        }
        return true
    }
}
