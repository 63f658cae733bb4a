#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// Linux open-file-description locks (`fcntl` F_OFD_SETLK / F_OFD_GETLK) on a whole file.
///
/// Like flock they belong to the open file description, so a second open in the same process
/// conflicts exactly as another process would, and the kernel drops them when the last
/// descriptor closes (a crash leaves nothing stale). Unlike flock they can be tested without
/// being taken (F_OFD_GETLK), from a descriptor opened read-only: `berth status` asks whether
/// a watch runs without writing anything.
enum FileLock {
    // Glibc exports these only under _GNU_SOURCE; the values are Linux's ABI.
    static let getCommand: Int32 = 36  // F_OFD_GETLK
    static let setCommand: Int32 = 37  // F_OFD_SETLK

    /// Takes an exclusive lock on the whole file; false when another open file description
    /// holds a conflicting one.
    static func tryLock(_ fd: Int32, path: String) throws -> Bool {
        var request = wholeFile(type: F_WRLCK)
        while fcntl(fd, setCommand, &request) != 0 {
            let error = SystemError.current("lock", path: path)
            if error.errno == EINTR { continue }
            if error.errno == EAGAIN || error.errno == EACCES { return false }
            throw error
        }
        return true
    }

    /// Opens (creating) and locks the file at `path`, making sure the locked file is still the
    /// one at `path`: a holder that unlinks its file on release may have done so between our
    /// open and our lock, and a lock on an unlinked file guards nothing. Returns nil when
    /// another holder has it.
    static func lockCurrentFile(_ path: String) throws -> Int32? {
        while true {
            let fd = try StateFolderGuard.open(path, flags: O_RDWR | O_CREAT)
            let taken: Bool
            do { taken = try tryLock(fd, path: path) } catch { close(fd); throw error }
            guard taken else { close(fd); return nil }
            var opened = stat(), current = stat()
            if fstat(fd, &opened) == 0, lstat(path, &current) == 0, opened.st_dev == current.st_dev, opened.st_ino == current.st_ino {
                return fd
            }
            close(fd)  // unlinked meanwhile: lock the new file instead
        }
    }

    /// Drops the lock this open file description holds; failure leaves it to the close.
    static func unlock(_ fd: Int32) {
        var request = wholeFile(type: F_UNLCK)
        while fcntl(fd, setCommand, &request) != 0 && errno == EINTR {}
    }

    /// Whether someone holds a lock that an exclusive lock would conflict with; takes nothing.
    static func isHeld(_ fd: Int32, path: String) throws -> Bool {
        var request = wholeFile(type: F_WRLCK)
        while fcntl(fd, getCommand, &request) != 0 {
            let error = SystemError.current("test the lock on", path: path)
            if error.errno == EINTR { continue }
            throw error
        }
        return request.l_type != Int16(F_UNLCK)
    }

    private static func wholeFile(type: Int32) -> flock {
        var request = flock()
        request.l_type = Int16(type)
        request.l_whence = Int16(SEEK_SET)
        request.l_start = 0
        request.l_len = 0  // to the end, however long the file grows
        request.l_pid = 0  // must be 0 for OFD locks
        return request
    }

    /// Parses the `PID\nPURPOSE\n…` a lock holder writes into its file; missing or unreadable
    /// lines are nil (the holder may not have written them yet).
    static func holderLines(_ path: String) -> [String] {
        guard let bytes = try? StateFolderGuard.read(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// Replaces the lock file's content with `lines`; purely informational, so failures are ignored.
    static func writeHolder(_ fd: Int32, lines: [String]) {
        let content = Array((lines.joined(separator: "\n") + "\n").utf8)
        if ftruncate(fd, 0) == 0 {
            _ = content.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
    }
}

/// A lock's file descriptor behind a mutex, so `release()` and `deinit` may race from any
/// thread and still close it exactly once.
final class LockDescriptor: @unchecked Sendable {
    // Invariant making @unchecked safe: `fd` is only read or written while `mutex` is held.
    private let mutex = ThreadLock()
    private var fd: Int32
    private let removing: String?

    /// `removing`: a lock file to unlink while the lock is still held, just before closing
    /// (see `FileLock.lockCurrentFile` for why that is safe).
    init(_ fd: Int32, removing: String? = nil) {
        self.fd = fd
        self.removing = removing
    }

    func close() {
        mutex.lock()
        defer { mutex.unlock() }
        guard fd >= 0 else { return }
        if let removing { _ = unlink(removing) }
        // Unlocked before closing: a child being spawned at this moment holds a copy of the
        // descriptor until its exec closes it, and until then a close alone would leave the
        // lock held by that copy (a lock is the open file description's, not the descriptor's).
        FileLock.unlock(fd)
        _ = Glibc.close(fd)
        fd = -1
    }
}
