#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Why a state folder could not be locked.
public enum StateLockError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Another berth holds the lock. `pid` and `purpose` come from the lock file and are nil
    /// when the holder had not written them yet (or wrote something unreadable).
    case held(pid: Int32?, purpose: String?)

    /// The message with the state folder named, for example
    /// `state/ is in use by another berth (pid 1234, watch); stop it or use another --state`.
    public func message(stateDirectory: String) -> String {
        let folder = stateDirectory.hasSuffix("/") ? stateDirectory : stateDirectory + "/"
        return "\(folder) is in use by another berth\(holderSuffix); stop it or use another --state"
    }

    /// The message without the folder's name (an enum case cannot carry it without changing
    /// the case's shape); callers that know the folder should prefer `message(stateDirectory:)`.
    public var description: String {
        "the state folder is in use by another berth\(holderSuffix); stop it or use another --state"
    }

    private var holderSuffix: String {
        switch self {
        case let .held(pid, purpose):
            let parts = [pid.map { "pid \($0)" }, purpose].compactMap { $0 }
            return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        }
    }
}

/// One berth per state folder: `flock(LOCK_EX|LOCK_NB)` on `DIR/lock`, with our pid and
/// purpose written into it so a refused second berth can say who holds it.
///
/// The lock lives as long as the object (or until `release()`), and the kernel drops it when
/// the process dies, so a crash never leaves a stale lock behind. The lock file itself is
/// never deleted: unlinking a lock file lets two processes lock two different inodes.
public final class StateLock: Sendable {
    /// The folder this lock guards.
    public let stateDirectory: String
    private let descriptor: Descriptor

    private init(stateDirectory: String, fd: Int32) {
        self.stateDirectory = stateDirectory
        self.descriptor = Descriptor(fd)
    }

    deinit {
        descriptor.close()
    }

    /// Creates the state folder if needed and takes its lock.
    ///
    /// - Throws: `StateLockError.held` when another process (or another `StateLock` in this
    ///   process) holds it; `SystemError` when the folder or file cannot be created.
    public static func acquire(stateDirectory: String, purpose: String) throws -> StateLock {
        try FileSystem.makeDirectories(stateDirectory)
        let path = stateDirectory + "/lock"
        // No O_TRUNC: the holder's pid must stay readable for the error message until we
        // actually own the lock.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError.current("open", path: path) }

        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = SystemError.current("lock", path: path)
            if error.errno == EINTR { continue }
            close(fd)
            if error.errno == EWOULDBLOCK {
                let (pid, holderPurpose) = readHolder(path)
                throw StateLockError.held(pid: pid, purpose: holderPurpose)
            }
            throw error
        }

        // Purely informational, so a failure here does not give the lock back.
        let content = Array("\(getpid())\n\(purpose)\n".utf8)
        if ftruncate(fd, 0) == 0 {
            _ = content.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return StateLock(stateDirectory: stateDirectory, fd: fd)
    }

    /// Gives the lock back. Calling it again, or letting the object go afterwards, is harmless.
    public func release() {
        descriptor.close()
    }

    /// Parses `PID\nPURPOSE\n` from a lock file held by someone else.
    static func readHolder(_ path: String) -> (pid: Int32?, purpose: String?) {
        guard let bytes = try? FileSystem.readFile(path) else { return (nil, nil) }
        let lines = String(decoding: bytes, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let pid = lines.first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
        let purpose = lines.count > 1 && !lines[1].isEmpty ? String(lines[1]) : nil
        return (pid, purpose)
    }
}

/// The lock's file descriptor behind a mutex, so `release()` and `deinit` may race from any
/// thread and still close it exactly once.
private final class Descriptor: @unchecked Sendable {
    // Invariant making @unchecked safe: `fd` is only read or written while `mutex` is held.
    private let mutex = NSLock()
    private var fd: Int32

    init(_ fd: Int32) {
        self.fd = fd
    }

    func close() {
        mutex.lock()
        defer { mutex.unlock() }
        guard fd >= 0 else { return }
        // Closing the only descriptor of this open file description drops the flock.
        _ = Glibc.close(fd)
        fd = -1
    }
}
