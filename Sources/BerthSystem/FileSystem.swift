#if canImport(Glibc)
import Glibc
#endif

/// The few file-system operations berth needs, as thin throwing wrappers over the system calls
/// so that every failure names its path and errno.
public enum FileSystem {
    /// Creates `path` and any missing parents, like `mkdir -p`. An existing directory is fine;
    /// an existing non-directory is an error.
    public static func makeDirectories(_ path: String) throws {
        if isDirectory(path) { return }
        guard !path.isEmpty else {
            throw SystemError(operation: "create directory", path: path, errno: ENOENT)
        }
        let parent = parentDirectory(of: path)
        if parent != path && !parent.isEmpty && !isDirectory(parent) {
            try makeDirectories(parent)
        }
        if mkdir(path, 0o755) != 0 {
            let error = SystemError.current("create directory", path: path)
            // Another process (or a parallel test) may have created it between the check
            // and the mkdir; that is success, not a race to report.
            if error.errno == EEXIST && isDirectory(path) { return }
            throw error
        }
    }

    /// Reads a whole regular file into memory.
    public static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open", path: path) }
        defer { close(fd) }
        return try readAll(fd, path: path)
    }

    /// Reads an open descriptor to its end; `path` names it in errors.
    static func readAll(_ fd: Int32, path: String) throws -> [UInt8] {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SystemError.current("stat", path: path) }
        // The size is only a hint: the file may grow while we read (the journal does), so
        // keep reading until read(2) reports end of file.
        var result: [UInt8] = []
        result.reserveCapacity(max(Int(info.st_size), 0))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if Glibc.errno == EINTR { continue }
                throw SystemError.current("read", path: path)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    /// Whether anything (file, directory, socket...) exists at `path`. Symbolic links are
    /// followed, so a dangling link counts as missing.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Whether `path` exists and is a directory.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The directory part of `path`: `a/b` for `a/b/c`, `.` for `c`, `/` for `/c`.
    /// Trailing slashes are ignored so `a/b/` has parent `a`.
    public static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") {
            trimmed = trimmed.dropLast()
        }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component of `path`: `c` for `a/b/c` and for `a/b/c/`.
    public static func lastComponent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") {
            trimmed = trimmed.dropLast()
        }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }
}
