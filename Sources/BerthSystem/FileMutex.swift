#if canImport(Glibc)
import Glibc
#endif

/// A short exclusive section between processes over one file's read-modify-write (the held
/// deletions, which `watch` and `berth release` both change). Blocking: holders are brief.
public enum FileMutex {
    public static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        // In the state folder: no links followed, ours only.
        let fd = try StateFolderGuard.open(path, flags: O_RDWR | O_CREAT)
        // Unlocked before closing, for the reason LockDescriptor.close gives.
        defer { _ = flock(fd, LOCK_UN); close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            let error = SystemError.current("lock", path: path)
            if error.errno != EINTR { throw error }
        }
        return try body()
    }
}
