import BerthSystem
#if canImport(Glibc)
import Glibc
#endif

/// The set of inotify watches covering a spec folder, and the translation of raw inotify
/// events into `SpecFolderChange`s. Keeps the table of watch descriptor to directory.
///
/// inotify is not recursive, so every directory needs its own watch, and a directory that
/// appears must be watched and then listed: files created in it before the watch existed
/// produce no event.
final class WatchTree: @unchecked Sendable {
    // @unchecked: built by `SpecFolderWatcher.init`, then handed to the reader thread, which
    // is the only one that ever touches it again. Nothing here is shared.
    private let inotify: Inotify
    /// The root as given, without trailing slashes, so paths join with a single "/".
    let root: String
    /// The root's own name, to recognise it reappearing in its parent.
    private let rootName: String
    /// Watch descriptor to directory relative to the root ("" is the root itself).
    private(set) var directories: [Int32: String] = [:]
    private var rootWatch: Int32 = -1
    /// A watch on the root's parent, only for the root being replaced (rm -rf then mkdir,
    /// or a rename swap); -1 when the parent cannot be watched.
    private var parentWatch: Int32 = -1
    /// Set when a folder could not be watched because the user's watches are used up: its
    /// changes would go unseen, which the watcher must say rather than swallow.
    private(set) var limitReached: InotifyLimitError?

    /// Watches `root` and every directory under it. Throws if the root itself cannot be
    /// watched; subdirectories that vanish while being listed are skipped.
    init(root: String, inotify: Inotify) throws {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
        self.inotify = inotify
        rootName = FileSystem.lastComponent(of: trimmed)
        // Watching the root first makes a missing or non-directory root fail with its name.
        rootWatch = try inotify.addWatch(trimmed, mask: InotifyEvent.Mask.directory | InotifyEvent.Mask.onlyDirectory)
        var ignored: [SpecFolderChange] = []
        addDirectory("", reportFiles: false, into: &ignored)
        if let limitReached { throw limitReached }
        let parent = FileSystem.parentDirectory(of: trimmed)
        let parentMask = InotifyEvent.Mask.create | InotifyEvent.Mask.movedTo | InotifyEvent.Mask.onlyDirectory
        if parent != trimmed, let wd = try? inotify.addWatch(parent, mask: parentMask), directories[wd] == nil {
            parentWatch = wd
        }
    }

    /// Whether a change to this file can matter: a spec (`*.json`), or any file of an app
    /// folder's build context (a changed index.html rebuilds its image). Hidden files and
    /// what editors leave behind (vim swap files and its "4913" write probe, backups, emacs
    /// lock files) never do.
    static func isSpecFile(_ name: String) -> Bool {
        guard !isHidden(name) else { return false }
        let leftover = name.hasSuffix(".swp") || name.hasSuffix(".swx") || name.hasSuffix("~")
            || name.hasPrefix(".#") || name == "4913"
        return !leftover
    }

    /// Whether a directory is part of the spec tree: hidden ones (.git) are never watched.
    static func isFollowedDirectory(_ name: String) -> Bool {
        !isHidden(name) && name != "." && name != ".."
    }

    private static func isHidden(_ name: String) -> Bool { name.hasPrefix(".") }

    /// Translates a batch of events, updating the watches as directories come and go.
    func handle(_ events: [InotifyEvent]) -> [SpecFolderChange] {
        var changes: [SpecFolderChange] = []
        for event in events { handle(event, into: &changes) }
        return changes
    }

    private func handle(_ event: InotifyEvent, into changes: inout [SpecFolderChange]) {
        typealias Mask = InotifyEvent.Mask
        if event.has(Mask.overflow) {
            // Events were lost, including perhaps new directories: watch whatever exists now
            // and let the consumer re-read everything.
            changes.append(.rescan)
            if rootWatch >= 0 { addDirectory("", reportFiles: false, into: &changes) }
            return
        }
        if event.wd == parentWatch {
            // A folder, or a link to one (git-sync's `current` replaced by a rename).
            if event.name == rootName && event.has(Mask.create | Mask.movedTo) {
                reattachRoot()
                changes.append(.rescan)
            }
            return
        }
        if event.has(Mask.ignored) {
            directories[event.wd] = nil
            if event.wd == rootWatch { rootWatch = -1 }
            return
        }
        // Events still queued for a watch already removed carry a stale path: drop them.
        guard let directory = directories[event.wd] else { return }
        if event.has(Mask.deleteSelf | Mask.moveSelf | Mask.unmount) {
            changes.append(.rescan)
            if event.wd == rootWatch { reattachRoot() }
            return
        }
        let path = directory.isEmpty ? event.name : directory + "/" + event.name
        if event.has(Mask.create | Mask.movedTo), isLink(absolute(path)) {
            // A link appeared or was flipped by a rename (ConfigMap's `..data`, git-sync's
            // `current`), hidden or not: what it leads to is watched from now on, and the
            // folder is read again as a whole.
            if Self.isFollowedDirectory(event.name) { removeWatches(under: path) }
            addDirectory(directory, reportFiles: false, into: &changes, above: ancestors(of: directory))
            changes.append(.rescan)
            return
        }
        if event.isDirectory {
            guard Self.isFollowedDirectory(event.name) else { return }
            if event.has(Mask.create | Mask.movedTo) {
                addDirectory(path, reportFiles: true, into: &changes)
            } else if event.has(Mask.delete | Mask.movedFrom) {
                removeWatches(under: path)
                changes.append(.rescan)
            }
            return
        }
        if Self.isSpecFile(event.name) {
            changes.append(.file(path))
        }
    }

    /// Watches `relative` and everything under it, listing each directory after its watch
    /// exists so no file falls between the listing and the first event.
    ///
    /// Links are followed as the spec loader follows them: a link to a folder is watched as
    /// that folder (unless it leads to a folder above it: a loop), and for a link to a file
    /// the folder holding the target is watched too, so an edit there is seen. `above`: the
    /// real paths of the folders above this one.
    private func addDirectory(_ relative: String, reportFiles: Bool, into changes: inout [SpecFolderChange], above: Set<String> = []) {
        let path = absolute(relative)
        // The bound of the spec loader's walk: a link into a huge tree must not take every watch.
        guard directories.count < Self.maxFolders else { return }
        let mask = InotifyEvent.Mask.directory | InotifyEvent.Mask.onlyDirectory
        guard let real = Self.realPath(path), !above.contains(real) else { return }
        // The folders above the root count as above too: a link to one would watch the root
        // again from inside, and whatever else lies there.
        let above = relative.isEmpty ? above.union(Self.foldersAbove(real)) : above
        // ENOENT/ENOTDIR: it vanished or was replaced since the event; its removal has its
        // own event. Running out of watches is reported (once) and leaves it unwatched.
        let wd: Int32
        do { wd = try inotify.addWatch(path, mask: mask) } catch let error as InotifyLimitError {
            if limitReached == nil { changes.append(.unwatched(error.description)) }
            limitReached = error
            return
        } catch { return }
        // An inode already watched keeps its descriptor; the newest name is the true one.
        directories[wd] = relative
        if relative.isEmpty { rootWatch = wd }

        var subdirectories: [String] = []
        guard let stream = opendir(path) else { return }
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let child = relative.isEmpty ? name : relative + "/" + name
            var isDirectory = Int32(entry.pointee.d_type) == Int32(DT_DIR)
            var isLink = Int32(entry.pointee.d_type) == Int32(DT_LNK)
            if Int32(entry.pointee.d_type) == Int32(DT_UNKNOWN) {
                // Some file systems do not fill d_type; ask lstat instead.
                var info = stat()
                isDirectory = lstat(absolute(child), &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
                isLink = (info.st_mode & S_IFMT) == S_IFLNK
            }
            if isLink, !Self.isHidden(name) {
                var target = stat()
                if stat(absolute(child), &target) == 0 && (target.st_mode & S_IFMT) == S_IFDIR {
                    isDirectory = true
                } else if let targetReal = Self.realPath(absolute(child)) {
                    watchTargetFolder(of: targetReal, as: relative)
                }
            }
            if isDirectory {
                if Self.isFollowedDirectory(name) { subdirectories.append(child) }
            } else if reportFiles && Self.isSpecFile(name) {
                changes.append(.file(child))
            }
        }
        // Closed before descending so a deep tree holds one directory stream at a time.
        closedir(stream)
        for subdirectory in subdirectories {
            addDirectory(subdirectory, reportFiles: reportFiles, into: &changes, above: above.union([real]))
        }
    }

    /// The most folders watched, as the spec loader's walk reads at most (SpecWalk).
    static let maxFolders = 10_000

    /// Watches the folder holding a linked file's target (ConfigMap's `..2026…/`, a release
    /// folder outside the tree); its events are reported as if in `relative`, the folder of
    /// the link, since the consumer reads the whole folder again anyway.
    private func watchTargetFolder(of target: String, as relative: String) {
        let folder = FileSystem.parentDirectory(of: target)
        guard directories.count < Self.maxFolders, let wd = try? inotify.addWatch(folder, mask: InotifyEvent.Mask.directory | InotifyEvent.Mask.onlyDirectory),
              directories[wd] == nil else { return }
        directories[wd] = relative
    }

    /// The real paths of the folders above `relative`, up to the root: a link back to one of
    /// them is a loop.
    private func ancestors(of relative: String) -> Set<String> {
        var out: Set<String> = Self.realPath(root).map(Self.foldersAbove) ?? []
        var parts = relative.split(separator: "/").map(String.init)
        while !parts.isEmpty {
            parts.removeLast()
            if let real = Self.realPath(absolute(parts.joined(separator: "/"))) { out.insert(real) }
        }
        return out
    }

    private func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// "/a/b/c" gives "/a/b", "/a" and "/".
    static func foldersAbove(_ real: String) -> Set<String> {
        var out: Set<String> = []
        var parent = real
        while parent != "/" && !parent.isEmpty {
            parent = String(parent[..<(parent.lastIndex(of: "/") ?? parent.startIndex)])
            out.insert(parent.isEmpty ? "/" : parent)
        }
        return out
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Drops the watches of a directory that was deleted or renamed away, and of everything
    /// under it. A renamed directory's watch would otherwise follow it, reporting its files
    /// under the old name or from outside the tree.
    private func removeWatches(under relative: String) {
        for (wd, path) in directories where path == relative || path.hasPrefix(relative + "/") {
            inotify.removeWatch(wd)
            directories[wd] = nil
        }
    }

    /// The root was deleted or renamed: stop watching the old tree and watch whatever
    /// directory now has the root's name, if any (the parent watch catches it later if not).
    private func reattachRoot() {
        for wd in directories.keys { inotify.removeWatch(wd) }
        directories = [:]
        rootWatch = -1
        var ignored: [SpecFolderChange] = []
        addDirectory("", reportFiles: false, into: &ignored)
    }

    private func absolute(_ relative: String) -> String {
        relative.isEmpty ? root : root + "/" + relative
    }
}
