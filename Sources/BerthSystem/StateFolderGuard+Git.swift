#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// state/git/, where `--git` keeps its clone and checkouts: the one place in the state folder
/// where berth makes a symbolic link, and so the one exception to "no links".
extension StateFolderGuard {
    /// The link's name inside state/git/.
    public static let gitCurrentLink = "current"

    /// True for the only target state/git/current may have: `rev-` and a full commit hash
    /// (40 or 64 hex digits), relative, so it can never lead outside state/git/.
    public static func isRevisionFolderName(_ name: String) -> Bool {
        guard name.hasPrefix("rev-") else { return false }
        let hash = name.dropFirst(4)
        return (hash.count == 40 || hash.count == 64) && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// Checks state/git/: a folder of ours; `current` a link of ours to a `rev-<hash>` folder
    /// beside it; everything else a folder or a regular file (no other link anywhere at its
    /// top level or in a checkout). The bare clone (repo.git) is git's own and checked only
    /// as a folder.
    public static func checkGitFolder(_ path: String, reading: Bool = false) throws {
        guard try check(path, is: .folder, reading: reading) else { return }
        for name in try FileManager.default.contentsOfDirectory(atPath: path).sorted() {
            let entry = path + "/" + name
            var info = stat()
            guard lstat(entry, &info) == 0 else { continue }  // removed meanwhile
            if (name == gitCurrentLink || name == gitCurrentLink + ".new") && info.st_mode & S_IFMT == S_IFLNK {
                // current.new: the flip's new link before its rename, left behind only by a crash.
                try checkCurrentLink(entry, info: info, reading: reading)
            } else if name == "repo.git" {
                try verify(info, path: entry, kind: .folder, isStateFolder: false, reading: reading)
            } else if info.st_mode & S_IFMT == S_IFDIR {
                try checkTree(entry, reading: reading)
            } else {
                try verify(info, path: entry, kind: .file, isStateFolder: false, reading: reading)
            }
        }
    }

    static func checkCurrentLink(_ path: String, info: stat, reading: Bool) throws {
        let target = StateFolderRefusal.linkTarget(path) ?? ""
        guard isRevisionFolderName(target), info.st_uid == geteuid() || (reading && info.st_uid == 0) else {
            throw StateFolderRefusal(path: path, message: "\(path) is a symbolic link to \(target), but berth only ever links it to a "
                + "rev-<commit> folder beside it, made by itself; remove it (the next fetch makes it again)")
        }
    }
}
