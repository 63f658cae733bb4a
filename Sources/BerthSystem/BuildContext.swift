#if canImport(Glibc)
import Glibc
#endif

/// A Docker build context: the files of a folder that `.dockerignore` lets through, in a
/// fixed order, ready to be hashed (to decide whether an image needs rebuilding) and sent to
/// the engine's `POST /build` as a tar stream.
///
/// The walk is depth-first with names in byte order, like Docker's; paths are relative and
/// '/'-separated. Directories, regular files and symbolic links are included (a link is sent
/// as a link, wherever it points); sockets, FIFOs and devices are left out and listed in
/// `skipped`. Hard links are sent as separate files. The Dockerfile and `.dockerignore` are
/// always sent, as the Docker CLI does, even when a pattern excludes them.
///
/// The scan records each file's size; hashing and archiving read the content later, and a
/// file whose size changed in between is reported rather than sent half-written.
public struct BuildContext: Sendable {
    /// One thing sent in the context.
    public struct Entry: Sendable, Equatable, CustomStringConvertible {
        /// What the entry is.
        public enum Kind: Sendable, Equatable {
            case file(size: UInt64)
            case directory
            case symlink(target: String)
        }

        /// The path relative to the context folder, '/'-separated, no leading "./".
        public var path: String
        public var kind: Kind
        /// Permission bits including set-user-ID, set-group-ID and sticky (`st_mode & 0o7777`).
        public var mode: UInt32

        /// Creates an entry.
        public init(path: String, kind: Kind, mode: UInt32) {
            self.path = path
            self.kind = kind
            self.mode = mode
        }

        /// `file 0644 Dockerfile (42 bytes)`, `dir 0755 src`, `link 0777 latest -> v2`.
        public var description: String {
            let octal = String(mode, radix: 8)
            let bits = String(repeating: "0", count: max(0, 4 - octal.count)) + octal
            switch kind {
            case .file(let size): return "file \(bits) \(path) (\(size) bytes)"
            case .directory: return "dir \(bits) \(path)"
            case .symlink(let target): return "link \(bits) \(path) -> \(target)"
            }
        }
    }

    /// The context folder as given, without trailing slashes.
    public let root: String
    /// The Dockerfile's path relative to `root`.
    public let dockerfile: String
    /// The rules applied, including the exceptions added for the Dockerfile and `.dockerignore`.
    public let ignore: DockerIgnore
    /// Everything sent, in archive order.
    public let entries: [Entry]
    /// Paths not excluded but not sent either: sockets, FIFOs, devices.
    public let skipped: [String]
    /// Each file's identity as the scan saw it (device, inode, size, times).
    let identities: [String: FileDigestCache.Identity]

    /// How much file content goes into one call of the digest's hash function: bounds memory
    /// for large files when the hash function only takes whole byte arrays.
    public static let digestChunkSize = 1 << 20

    /// Walks `root` and applies its `.dockerignore`.
    ///
    /// - Parameter dockerfile: the Dockerfile's path relative to `root`.
    /// - Throws: `SystemError` naming the path when the folder is missing or not a directory,
    ///   or a directory, entry or link cannot be read (`.dockerignore` included);
    ///   `DockerIgnoreError` naming `.dockerignore` for a pattern Docker would reject.
    public init(scanning root: String, dockerfile: String = "Dockerfile") throws {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        var info = stat()
        guard stat(trimmed, &info) == 0 else { throw SystemError.current("open build context", path: trimmed) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw SystemError(operation: "use as build context", path: trimmed, errno: ENOTDIR)
        }
        self.root = trimmed
        self.dockerfile = PathCleaner.clean(dockerfile)

        var ignore = try Self.readIgnoreFile(in: trimmed)
        ignore.alwaysInclude(".dockerignore")
        ignore.alwaysInclude(self.dockerfile)
        self.ignore = ignore

        var walk = ContextWalk(root: trimmed, ignore: ignore)
        try walk.visit(directory: "")
        entries = walk.entries
        identities = walk.identities
        skipped = walk.skipped
    }

    /// The absolute (or root-relative, if `root` was relative) path of an entry on disk.
    public func diskPath(of relative: String) -> String {
        root == "/" ? "/" + relative : root + "/" + relative
    }

    private static func readIgnoreFile(in root: String) throws -> DockerIgnore {
        let path = root + "/.dockerignore"
        let contents: [UInt8]
        do {
            contents = try FileSystem.readFile(path)
        } catch let error as SystemError where error.errno == ENOENT {
            return try DockerIgnore(patterns: [])
        }
        do {
            return try DockerIgnore(contents: contents)
        } catch {
            var located = error
            located.file = path
            throw located
        }
    }
}
