#if canImport(Glibc)
import Glibc
#endif

/// Opening, reading and replacing files in the state folder without following links.
extension StateFolderGuard {
    /// Opens a state file with O_NOFOLLOW and checks, on the open descriptor, that it is a
    /// regular file owned by the user berth runs as (or by root, when only reading).
    /// `flags` may include O_CREAT.
    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws -> Int32 {
        let reading = flags & O_ACCMODE == O_RDONLY && flags & O_CREAT == 0
        // O_NONBLOCK: opening a planted named pipe must not hang; it is refused below.
        let fd = Glibc.open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, mode)
        guard fd >= 0 else {
            let error = SystemError.current("open", path: path)
            // ELOOP (a link), EISDIR, ENXIO (a socket): say what is there instead of errno.
            if error.errno != ENOENT && error.errno != EACCES { try check(path, is: .file) }
            throw error
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = SystemError.current("stat", path: path)
            close(fd)
            throw error
        }
        do {
            try verify(info, path: path, kind: .file, isStateFolder: false, reading: reading)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// A state file's bytes, or nil when it does not exist.
    public static func read(_ path: String) throws -> [UInt8]? {
        let fd: Int32
        do {
            fd = try open(path, flags: O_RDONLY)
        } catch let error as SystemError where error.errno == ENOENT {
            return nil
        }
        defer { close(fd) }
        return try FileSystem.readAll(fd, path: path)
    }

    /// Replaces a state file atomically (AtomicFile), after checking the folder it goes in
    /// and the file it replaces.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try check(FileSystem.parentDirectory(of: path), is: .folder)
        try check(path, is: .file)
        try AtomicFile.write(bytes, to: path)
    }
}
