import BerthSystem
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// The journal's append-only descriptor and the serial queue that does its blocking I/O.
///
/// write(2) and fsync(2) can block for tens of milliseconds (longer on a busy disk). Doing
/// them on Swift's cooperative pool, which has one thread per core, would stall unrelated
/// tasks; a dedicated queue keeps that wait off the pool while callers simply `await`.
final class JournalFile: @unchecked Sendable {
    // Invariant making @unchecked safe: `fd`'s open/closed state is touched only on `queue`
    // (or in deinit, when no queue work can be pending); `path` and `write` are immutable.
    let path: String
    private var fd: Int32
    private let queue: DispatchQueue
    private let write: JournalWrite

    /// How one write+fsync went. `written` counts the bytes that reached the file even when
    /// the call failed, so the caller knows whether a partial line was left behind.
    struct Outcome: Sendable {
        var written: Int
        var error: SystemError?
    }

    /// Opens (creating if needed) `path` for appending; bytes go out through `write`.
    init(path: String, write: JournalWrite = .system) throws {
        // O_NOFOLLOW: a link planted as the journal must not make berth append to its target
        // (the state folder's checks say so in words; this is the last line of defence).
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.current("open", path: path) }
        self.path = path
        self.fd = fd
        self.queue = DispatchQueue(label: "berth.journal.write")
        self.write = write
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Whether the descriptor is a regular file, whose existing content is worth scanning.
    /// Character devices such as /dev/full (used to test ENOSPC) would read forever.
    func isRegularFile() -> Bool {
        queue.sync {
            var info = stat()
            return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        }
    }

    /// Writes `bytes` with one write(2) (retrying only the remainder of a short write) and
    /// then fsyncs, all on the journal's queue.
    func appendAndSync(_ bytes: [UInt8]) async -> Outcome {
        await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: self.performAppend(bytes))
            }
        }
    }

    /// Closes the descriptor once every write submitted before it has finished.
    func close() {
        queue.async {
            if self.fd >= 0 {
                Glibc.close(self.fd)
                self.fd = -1
            }
        }
    }

    private func performAppend(_ bytes: [UInt8]) -> Outcome {
        guard fd >= 0 else {
            return Outcome(written: 0, error: SystemError(operation: "write to", path: path, errno: EBADF))
        }
        let sizeBefore = regularFileSize()
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                write.call(fd, UnsafeRawBufferPointer(rebasing: buffer[offset...]))
            }
            if count < 0 {
                if errno == EINTR { continue }
                return failedWrite(written: offset, sizeBefore: sizeBefore, error: SystemError.current("write to", path: path))
            }
            offset += count
        }
        // fdatasync would skip the mtime update, but the file size changes on every append,
        // so it would flush the inode anyway; plain fsync says what we mean.
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            return Outcome(written: offset, error: SystemError.current("fsync", path: path))
        }
        return Outcome(written: offset, error: nil)
    }

    /// The file's size before a write, when it is a regular file (so a failed write can be undone).
    private func regularFileSize() -> off_t? {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return info.st_size
    }

    /// A write that failed part-way (a disk filling up) would leave half a record behind. Only
    /// this process appends (the state lock), so cutting the file back to its size before the
    /// write removes exactly that half line: nothing is ever left half-written.
    private func failedWrite(written: Int, sizeBefore: off_t?, error: SystemError) -> Outcome {
        guard written > 0, let sizeBefore else { return Outcome(written: written, error: error) }
        var result: Int32
        repeat { result = ftruncate(fd, sizeBefore) } while result != 0 && errno == EINTR
        guard result == 0 else { return Outcome(written: written, error: error) }
        _ = fsync(fd)
        return Outcome(written: 0, error: error)
    }
}
