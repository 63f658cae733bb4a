#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// The rules every command applies before it touches a state folder, in one place.
///
/// The state folder usually sits beside `specs/` in a repository, so whoever can push to that
/// repository could plant a link there (`git pull` replaces an ignored file with a committed
/// link). berth therefore never follows a link in its state folder: the folder and each file
/// in it must be the real thing (a folder or a regular file), owned by the user berth runs
/// as, not writable by other users, outside the specs tree and not tracked by git.
/// Writers create the folder 0700; readers create nothing. A reader may also read what root
/// owns (only root could have planted it), so another user can run `berth status` on root's
/// folder as far as its modes allow.
public enum StateFolderGuard {
    public enum Kind: Sendable {
        case file, folder
    }

    /// For a command that writes (apply, watch): checks the folder and where it lies, and
    /// creates it 0700 (with any missing parents, as `mkdir -p`) when it is not there yet.
    public static func prepare(_ directory: String, specsDirectory: String?) throws {
        let exists = try check(directory, is: .folder, isStateFolder: true)
        try checkPlacement(directory, specsDirectory: specsDirectory)
        if !exists { try makeFolder(directory) }
    }

    /// The state folder holds the journal and the last valid specs (secret values included):
    /// its folders 0700 and its files 0600, as berth makes them. A folder made by an older
    /// berth, or by hand, with looser modes is tightened once, and the caller logs it. Links
    /// are never followed; the caller tightens only a folder that passed every other check.
    /// Only berth's own `entries` (names in the folder) are walked: the folder may hold other
    /// things, such as `make run`'s private engine under state/engine, whose modes are not ours.
    /// Returns the line to log, or nil when nothing was looser.
    public static func tighten(_ directory: String, entries: [String]) -> String? {
        var changed = 0
        var info = stat()
        if lstat(directory, &info) == 0, info.st_uid == geteuid(), info.st_mode & S_IFMT == S_IFDIR, info.st_mode & 0o077 != 0,
           chmod(directory, (info.st_mode & 0o7700) | 0o700) == 0 {
            changed += 1
        }
        var pending = entries.map { directory + "/" + $0 }
        while let path = pending.popLast() {
            var info = stat()
            guard lstat(path, &info) == 0, info.st_uid == geteuid() else { continue }
            let type = info.st_mode & S_IFMT
            guard type == S_IFDIR || type == S_IFREG else { continue }
            let wanted: mode_t = type == S_IFDIR ? 0o700 : 0o600
            if info.st_mode & 0o077 != 0 {
                if chmod(path, (info.st_mode & 0o7700) | (wanted & 0o700)) == 0 { changed += 1 }
            }
            if type == S_IFDIR, let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
                pending += names.map { path + "/" + $0 }
            }
        }
        guard changed > 0 else { return nil }
        return "state folder \(directory) was readable by others: \(changed) of its files and folders tightened to 0600 files and 0700 folders "
            + "(it holds the journal and the last valid specs, secrets included)"
    }

    /// For a reader (status, history, plan): checks the folder if it is there and creates
    /// nothing. Returns false when there is no state folder.
    public static func inspect(_ directory: String, specsDirectory: String?) throws -> Bool {
        guard try check(directory, is: .folder, isStateFolder: true, reading: true) else { return false }
        try checkPlacement(directory, specsDirectory: specsDirectory)
        return true
    }

    /// Checks one entry without following links: nothing there (false), or `kind`, owned by
    /// the user berth runs as and, for a folder, not writable by others (true).
    ///
    /// - Parameter reading: for a reader: root's files are accepted too, and an entry the
    ///   reader may not even look at counts as absent (it cannot be read through either).
    @discardableResult
    public static func check(_ path: String, is kind: Kind, isStateFolder: Bool = false, reading: Bool = false) throws -> Bool {
        var info = stat()
        if lstat(path, &info) != 0 {
            if errno == ENOENT || (errno == EACCES && reading && !isStateFolder) { return false }
            throw SystemError.current("inspect", path: path)
        }
        try verify(info, path: path, kind: kind, isStateFolder: isStateFolder, reading: reading)
        return true
    }

    /// Checks a folder in the state folder and everything below it (last-valid/): only
    /// folders and regular files, no links, all ours.
    public static func checkTree(_ path: String, reading: Bool = false) throws {
        guard try check(path, is: .folder, reading: reading) else { return }
        for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() {
            let entry = path + "/" + name
            var info = stat()
            guard lstat(entry, &info) == 0 else { continue }  // removed meanwhile
            if info.st_mode & S_IFMT == S_IFDIR {
                try checkTree(entry, reading: reading)
            } else {
                try verify(info, path: entry, kind: .file, isStateFolder: false, reading: reading)
            }
        }
    }

    /// Creates (0700) or checks each folder from `root` down to `path`, which lies inside
    /// `root`: for writing a file deep in last-valid/ without passing through a planted link.
    public static func makeFolders(_ path: String, inside root: String) throws {
        guard path != root else { return }
        let parent = FileSystem.parentDirectory(of: path)
        if parent != root && parent.count > root.count { try makeFolders(parent, inside: root) }
        if try !check(path, is: .folder) {
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw SystemError.current("create directory", path: path) }
            try check(path, is: .folder)
        }
    }

    static func verify(_ info: stat, path: String, kind: Kind, isStateFolder: Bool, reading: Bool = false) throws {
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { throw StateFolderRefusal.symbolicLink(path, isStateFolder: isStateFolder) }
        let expected = kind == .folder ? S_IFDIR : S_IFREG
        guard type == expected else {
            throw StateFolderRefusal.wrongKind(path, is: StateFolderRefusal.kindName(info.st_mode),
                                               expected: kind == .folder ? "a folder" : "a regular file", isStateFolder: isStateFolder)
        }
        guard info.st_uid == geteuid() || (reading && info.st_uid == 0) else {
            throw StateFolderRefusal.foreignOwner(path, uid: info.st_uid)
        }
        if kind == .folder && info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw StateFolderRefusal.writableByOthers(path, mode: info.st_mode)
        }
    }

    /// Outside the specs tree, and not tracked by git.
    static func checkPlacement(_ directory: String, specsDirectory: String?) throws {
        if let specsDirectory, let specs = realPath(specsDirectory) {
            let state = resolvedAllowingMissing(directory)
            if state == specs || state.hasPrefix(specs == "/" ? "/" : specs + "/") {
                throw StateFolderRefusal.insideSpecs(directory, specs: specsDirectory)
            }
        }
        let tracked = GitTracking.trackedFiles(in: directory)
            .filter { !GitTracking.placeholders.contains($0) }
        if !tracked.isEmpty {
            throw StateFolderRefusal.trackedByGit(directory, files: tracked.map { directory + "/" + $0 })
        }
    }

    /// The state folder itself, 0700; its parents as `mkdir -p` would make them.
    static func makeFolder(_ directory: String) throws {
        let parent = FileSystem.parentDirectory(of: directory)
        if parent != directory { try FileSystem.makeDirectories(parent) }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw SystemError.current("create directory", path: directory)
        }
        try check(directory, is: .folder, isStateFolder: true)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The real path of the nearest existing ancestor, with the missing rest appended: where
    /// a folder that does not exist yet will be.
    static func resolvedAllowingMissing(_ path: String) -> String {
        if let real = realPath(path) { return real }
        let parent = FileSystem.parentDirectory(of: path)
        guard parent != path else { return path }
        let base = resolvedAllowingMissing(parent)
        return (base == "/" ? "" : base) + "/" + FileSystem.lastComponent(of: path)
    }
}
