#if canImport(Glibc)
import Glibc
#endif

/// The depth-first walk behind `BuildContext`, applying `.dockerignore` as Docker's
/// `archive.TarWithOptions` does: an excluded file is dropped; an excluded directory is
/// dropped with everything under it, unless an exception names something inside it, in
/// which case the walk goes in (without sending the directory entry itself).
struct ContextWalk {
    let root: String
    let ignore: DockerIgnore
    private(set) var entries: [BuildContext.Entry] = []
    private(set) var skipped: [String] = []
    /// What lstat said of each file, so the digest cache need not ask again.
    private(set) var identities: [String: FileDigestCache.Identity] = [:]

    init(root: String, ignore: DockerIgnore) {
        self.root = root
        self.ignore = ignore
    }

    private func diskPath(_ relative: String) -> String {
        if relative.isEmpty { return root }
        return root == "/" ? "/" + relative : root + "/" + relative
    }

    /// Visits the children of `directory` ("" for the root), names in byte order.
    mutating func visit(directory: String) throws {
        for name in try Self.names(in: diskPath(directory)) {
            let relative = directory.isEmpty ? name : directory + "/" + name
            let path = diskPath(relative)
            var info = stat()
            guard lstat(path, &info) == 0 else { throw SystemError.current("stat", path: path) }
            let excluded = ignore.excludes(relative)
            let mode = UInt32(info.st_mode & 0o7777)
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if excluded {
                    if ignore.mayReinclude(under: relative) { try visit(directory: relative) }
                    continue
                }
                entries.append(.init(path: relative, kind: .directory, mode: mode))
                try visit(directory: relative)
            case S_IFREG:
                if excluded { continue }
                entries.append(.init(path: relative, kind: .file(size: UInt64(max(info.st_size, 0))), mode: mode))
                identities[relative] = FileDigestCache.Identity(info)
            case S_IFLNK:
                if excluded { continue }
                entries.append(.init(path: relative, kind: .symlink(target: try Self.linkTarget(path)), mode: mode))
            default:
                if !excluded { skipped.append(relative) }
            }
        }
    }

    /// The names in a directory without "." and "..", sorted by their UTF-8 bytes.
    static func names(in path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw SystemError.current("open directory", path: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(directory) else {
                if errno != 0 { throw SystemError.current("read directory", path: path) }
                break
            }
            let name = try withUnsafePointer(to: entry.pointee.d_name) { tuple in
                try tuple.withMemoryRebound(to: CChar.self, capacity: 256) { pointer in
                    guard let name = String(validatingCString: pointer) else {
                        // A name that is not UTF-8 cannot round-trip through String to be
                        // opened again; say so instead of sending a mangled name.
                        throw SystemError(operation: "send a name that is not UTF-8 in", path: path, errno: EILSEQ)
                    }
                    return name
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// What a symbolic link points to, as stored (not resolved).
    static func linkTarget(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count)
        guard count >= 0 else { throw SystemError.current("read link", path: path) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
