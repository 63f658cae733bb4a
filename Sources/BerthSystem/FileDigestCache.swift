#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// The chunk digests of files already hashed, so a build context is not read again on every
/// plan (a 270 MB, 20,000-file context took 1.5 s per no-op plan, twice per apply). An entry
/// is used only while the file's device, inode, size, modification and change times are what
/// they were; a file changed in the same second it was hashed is not kept (git's "racily
/// clean" rule), since a later write in that second would leave its times unchanged.
///
/// One instance per process (`shared`); commands that have a state folder keep it there
/// between runs (`digests`), so a fresh `berth plan` starts warm.
public final class FileDigestCache: @unchecked Sendable {
    struct Identity: Equatable, Sendable {
        var device: UInt64, inode: UInt64, size: UInt64, modified: Int64, changed: Int64

        init(device: UInt64, inode: UInt64, size: UInt64, modified: Int64, changed: Int64) {
            self.device = device; self.inode = inode; self.size = size; self.modified = modified; self.changed = changed
        }

        init(_ info: stat) {
            self.init(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: UInt64(max(info.st_size, 0)),
                      modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                      changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
        }
    }

    struct Entry {
        var identity: Identity
        var chunks: [String]
    }

    public static let shared = FileDigestCache()

    private let lock = ThreadLock()
    private var entries: [String: Entry] = [:]
    private var file: String?
    private var loadedFile: String?
    private var dirty = false
    /// Hits and misses since start, for tests and the bench.
    public private(set) var hits = 0
    public private(set) var misses = 0

    /// Files changed less than this long ago are hashed but not remembered.
    let racyWindow: Int64

    public init(racyWindowNanoseconds: Int64 = 2_000_000_000) { racyWindow = racyWindowNanoseconds }

    /// Keeps the cache in `path` (read now, written by `save`). Calling again with the same
    /// path does nothing.
    public func persist(at path: String) {
        lock.withLock {
            guard loadedFile != path else { return }
            file = path
            loadedFile = path
            guard let bytes = try? FileSystem.readFile(path) else { return }
            Self.parse(bytes) { name, entry in entries[name] = entry }
        }
    }

    /// Lines of `dev inode size mtime ctime chunk,chunk,… TAB path`, read as bytes: 20,000
    /// lines parsed as Characters took most of a cached plan's time.
    static func parse(_ bytes: [UInt8], _ add: (String, Entry) -> Void) {
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { start = end + 1 }
            guard let tab = bytes[start..<end].firstIndex(of: UInt8(ascii: "\t")) else { continue }
            var numbers: [UInt64] = []
            var field = start
            var chunks: [String]?
            while field < tab {
                let stop = bytes[field..<tab].firstIndex(of: UInt8(ascii: " ")) ?? tab
                if numbers.count == 5 {
                    let text = bytes[field..<stop]
                    chunks = text.elementsEqual([UInt8(ascii: "-")]) ? [] : text.split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) }
                } else {
                    var value: UInt64 = 0
                    for digit in bytes[field..<stop] {
                        guard digit >= 48 && digit <= 57 else { value = .max; break }
                        value = value &* 10 &+ UInt64(digit - 48)
                    }
                    numbers.append(value)
                }
                field = stop + 1
            }
            guard numbers.count == 5, let chunks else { continue }
            let identity = Identity(device: numbers[0], inode: numbers[1], size: numbers[2],
                                    modified: Int64(truncatingIfNeeded: numbers[3]), changed: Int64(truncatingIfNeeded: numbers[4]))
            add(String(decoding: bytes[(tab + 1)..<end], as: UTF8.self), Entry(identity: identity, chunks: chunks))
        }
    }

    /// Writes the cache where `persist` said, if it changed. A folder that does not exist is
    /// not made (a `plan` without a state folder keeps it in memory only).
    public func save() {
        let snapshot: (String, [String: Entry])? = lock.withLock {
            guard dirty, let file else { return nil }
            dirty = false
            return (file, entries)
        }
        guard let (path, all) = snapshot, FileSystem.isDirectory(FileSystem.parentDirectory(of: path)) else { return }
        var text = ""
        for (name, entry) in all where !name.contains("\n") {
            let i = entry.identity
            text += "\(i.device) \(i.inode) \(i.size) \(i.modified) \(i.changed) \(entry.chunks.isEmpty ? "-" : entry.chunks.joined(separator: ","))\t\(name)\n"
        }
        try? AtomicFile.write(text, to: path)
    }

    /// The chunk digests of `path`: from the cache while the file is unchanged, else computed
    /// by `compute` (which reads the file) and remembered.
    /// Also gives the size the file had (nil when it could not be read as a regular file).
    /// `known` is what a stat a moment ago said (the context walk's), saving another.
    func chunks(of path: String, known: Identity? = nil, compute: () throws -> [String]) throws -> (chunks: [String], size: UInt64?) {
        let key = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard let before = known ?? Self.identity(path) else { return (try compute(), nil) }
        if let hit = lock.withLock({ entries[key].flatMap { $0.identity == before ? $0.chunks : nil } }) {
            lock.withLock { hits += 1 }
            return (hit, before.size)
        }
        let chunks = try compute()
        // Unchanged while it was read, and not changed within the last two seconds.
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        if Self.identity(path) == before, now - max(before.modified, before.changed) >= racyWindow {
            lock.withLock { entries[key] = Entry(identity: before, chunks: chunks); dirty = true; misses += 1 }
        } else {
            lock.withLock { misses += 1 }
        }
        return (chunks, before.size)
    }

    static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Identity(info)
    }
}
