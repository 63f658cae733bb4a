#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// Why a state folder could not be locked.
public enum StateLockError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Another berth holds the lock. `pid` and `purpose` come from the lock file and are nil
    /// when the holder had not written them yet (or wrote something unreadable).
    case held(pid: Int32?, purpose: String?)

    /// The message with the state folder named, for example
    /// `state/ is in use by another berth (pid 1234, watch); stop it, or give this one another --state and another --owner (one berth manages an owner on an engine)`.
    public func message(stateDirectory: String) -> String {
        let folder = stateDirectory.hasSuffix("/") ? stateDirectory : stateDirectory + "/"
        return "\(folder) is in use by another berth\(holderSuffix); stop it, or give this one another --state and another --owner (one berth manages an owner on an engine)"
    }

    /// The message without the folder's name (an enum case cannot carry it without changing
    /// the case's shape); callers that know the folder should prefer `message(stateDirectory:)`.
    public var description: String {
        "the state folder is in use by another berth\(holderSuffix); stop it, or give this one another --state and another --owner (one berth manages an owner on an engine)"
    }

    private var holderSuffix: String {
        switch self {
        case let .held(pid, purpose):
            let parts = [pid.map { "pid \($0)" }, purpose].compactMap { $0 }
            return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
        }
    }
}

/// Whether a state folder's lock is held, asked without taking it (`StateLock.probe`).
public enum LockState: Sendable, Equatable {
    /// Nobody holds it (or there is no lock file: nothing ever ran there).
    case free
    /// Another open file description holds it: another berth; pid and purpose from the file.
    case held(pid: Int32?, purpose: String?)
    /// The lock file could not be opened or tested; the reason in words.
    case unknown(String)
}

/// One berth per state folder: an exclusive open-file-description lock (`FileLock`) on
/// `DIR/lock`, with our pid and purpose written into it so a refused second berth can say
/// who holds it.
///
/// The lock lives as long as the object (or until `release()`), and the kernel drops it when
/// the process dies, so a crash never leaves a stale lock behind. The lock file itself is
/// never deleted: unlinking a lock file lets two processes lock two different inodes.
public final class StateLock: Sendable {
    /// The folder this lock guards.
    public let stateDirectory: String
    private let descriptor: LockDescriptor

    private init(stateDirectory: String, fd: Int32) {
        self.stateDirectory = stateDirectory
        self.descriptor = LockDescriptor(fd)
    }

    deinit {
        descriptor.close()
    }

    /// Creates the state folder (0700) if needed and takes its lock. The folder and the lock
    /// file are checked by `StateFolderGuard`: a link or a file not ours is refused.
    ///
    /// - Throws: `StateLockError.held` when another process (or another `StateLock` in this
    ///   process) holds it; `StateFolderRefusal` for a link or a foreign file; `SystemError`
    ///   when the folder or file cannot be created.
    public static func acquire(stateDirectory: String, purpose: String) throws -> StateLock {
        if try !StateFolderGuard.check(stateDirectory, is: .folder, isStateFolder: true) {
            try StateFolderGuard.makeFolder(stateDirectory)
        }
        let path = stateDirectory + "/lock"
        // No O_TRUNC: the holder's pid must stay readable for the error message until we
        // actually own the lock.
        // 0600 as every file in the state folder: only berth's user reads its state (`berth
        // status` as another user cannot tell whether a watch runs, and says so).
        let fd = try StateFolderGuard.open(path, flags: O_RDWR | O_CREAT, mode: 0o600)
        let taken: Bool
        do { taken = try FileLock.tryLock(fd, path: path) } catch { close(fd); throw error }
        guard taken else {
            close(fd)
            let (pid, holderPurpose) = readHolder(path)
            throw StateLockError.held(pid: pid, purpose: holderPurpose)
        }
        FileLock.writeHolder(fd, lines: ["\(getpid())", purpose])
        return StateLock(stateDirectory: stateDirectory, fd: fd)
    }

    /// Whether another berth holds the lock, learned without taking it and without writing
    /// anything: the file is opened read-only (never created) and tested with F_OFD_GETLK.
    ///
    /// - Throws: `StateFolderRefusal` when the lock file is a link or not ours: status must
    ///   refuse such a folder like every other command.
    public static func probe(stateDirectory: String) throws -> LockState {
        let path = stateDirectory + "/lock"
        let fd: Int32
        do {
            fd = try StateFolderGuard.open(path, flags: O_RDONLY)
        } catch let error as SystemError {
            if error.errno == ENOENT { return .free }
            return .unknown(error.description)
        }
        defer { close(fd) }
        do {
            guard try FileLock.isHeld(fd, path: path) else { return .free }
        } catch {
            return .unknown("\(error)")
        }
        let (pid, purpose) = readHolder(path)
        return .held(pid: pid, purpose: purpose)
    }

    /// Gives the lock back. Calling it again, or letting the object go afterwards, is harmless.
    public func release() {
        descriptor.close()
    }

    /// Parses `PID\nPURPOSE\n` from a lock file held by someone else.
    static func readHolder(_ path: String) -> (pid: Int32?, purpose: String?) {
        let lines = FileLock.holderLines(path)
        let pid = lines.first.flatMap { Int32($0.trimmingWhitespace()) }
        let purpose = lines.count > 1 && !lines[1].isEmpty ? lines[1] : nil
        return (pid, purpose)
    }
}
