#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file's content so that readers, and the file after a crash, see either the
/// whole old content or the whole new content, never a mixture or a truncated file.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically: a temporary file in the same directory (so the
    /// rename cannot cross file systems), fsync of the data, rename over the target, then fsync
    /// of the directory so the rename itself survives a power loss.
    ///
    /// On failure the temporary file is removed and the old content of `path` is untouched.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = FileSystem.parentDirectory(of: path)
        let name = FileSystem.lastComponent(of: path)
        // The pid and a random suffix keep two writers (two processes, or two tasks) from
        // sharing one temporary file; the leading dot keeps it out of casual listings.
        let temporary = "\(directory)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // O_EXCL|O_NOFOLLOW: never write through a link planted under the temporary name. The
        // rename below replaces a link at `path` itself, never the file it points to.
        // 0600: every file written this way lives in the state folder, which holds the last
        // valid specs, secret values included; the rename gives the target this mode too.

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError.current("create", path: temporary) }

        do {
            try writeAll(fd, bytes, path: temporary)
            guard fsync(fd) == 0 else { throw SystemError.current("fsync", path: temporary) }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        // close(2) can report a deferred write error (NFS, some FUSE file systems); treat it
        // like a failed write rather than renaming a file that may be incomplete.
        if close(fd) != 0 {
            let error = SystemError.current("close", path: temporary)
            unlink(temporary)
            throw error
        }

        if rename(temporary, path) != 0 {
            let error = SystemError.current("rename into place", path: path)
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Writes the UTF-8 encoding of `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Writes every byte, retrying short writes and interruptions.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if count < 0 {
                if Glibc.errno == EINTR { continue }
                throw SystemError.current("write to", path: path)
            }
            offset += count
        }
    }

    /// Flushes a directory's entries (a new name from rename or create) to disk.
    public static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open directory", path: directory) }
        defer { close(fd) }
        // Some file systems refuse fsync on a directory with EINVAL; they also do not need
        // it, so only real I/O errors are reported.
        if fsync(fd) != 0 && Glibc.errno != EINVAL {
            throw SystemError.current("fsync directory", path: directory)
        }
    }
}
