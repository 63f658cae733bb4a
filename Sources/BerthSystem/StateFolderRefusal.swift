#if canImport(Glibc)
import Glibc
#endif

/// Why berth will not use a state folder or a file in it: one line naming the path, the cause
/// in words and what to do, for example
/// `state/lock is a symbolic link to /etc/passwd; berth does not follow links in its state folder: remove it`.
public struct StateFolderRefusal: Error, Sendable, CustomStringConvertible, Equatable {
    /// The path as the user gave it (or as berth built it from `--state`).
    public var path: String
    /// The whole line.
    public var message: String

    public var description: String { message }

    static func symbolicLink(_ path: String, isStateFolder: Bool) -> StateFolderRefusal {
        let target = linkTarget(path).map { " to \($0)" } ?? ""
        if isStateFolder {
            return StateFolderRefusal(path: path, message: "\(path) is a symbolic link\(target); berth does not follow a link as its state folder: "
                + "give the real folder as --state, or remove the link")
        }
        return StateFolderRefusal(path: path, message: "\(path) is a symbolic link\(target); berth does not follow links in its state folder: remove it")
    }

    static func wrongKind(_ path: String, is kind: String, expected: String, isStateFolder: Bool) -> StateFolderRefusal {
        let remedy = isStateFolder ? "remove it or choose another --state" : "remove it"
        return StateFolderRefusal(path: path, message: "\(path) is \(kind), not \(expected); berth keeps only its own files in its state folder: \(remedy)")
    }

    static func foreignOwner(_ path: String, uid: uid_t) -> StateFolderRefusal {
        StateFolderRefusal(path: path, message: "\(path) belongs to uid \(uid), not to uid \(geteuid()) that berth runs as; "
            + "that user could change what berth records: remove it, or run berth as uid \(uid)")
    }

    static func writableByOthers(_ path: String, mode: mode_t) -> StateFolderRefusal {
        let octal = String(mode & 0o7777, radix: 8)
        return StateFolderRefusal(path: path, message: "\(path) is writable by other users (mode \(octal)); they could plant links or files "
            + "in berth's state: chmod go-w \(path)")
    }

    static func insideSpecs(_ path: String, specs: String) -> StateFolderRefusal {
        StateFolderRefusal(path: path, message: "\(path) lies inside the specs folder \(specs); whoever can push a spec could plant "
            + "files in berth's state: choose a --state outside \(specs)")
    }

    static func trackedByGit(_ path: String, files: [String]) -> StateFolderRefusal {
        let shown = files.prefix(3).joined(separator: ", ") + (files.count > 3 ? ", …" : "")
        return StateFolderRefusal(path: path, message: "\(path) holds files tracked by git (\(shown)); a git pull could replace berth's "
            + "files with links: untrack them (git rm -r --cached \(path)) and ignore the folder, or choose a --state outside the repository")
    }

    /// What a symbolic link points at, as stored in the link (never resolved).
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `a folder`, `a named pipe`… for the file type bits of a mode.
    static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a folder"
        case S_IFREG: return "a regular file"
        case S_IFLNK: return "a symbolic link"
        case S_IFIFO: return "a named pipe"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "a special file"
        }
    }
}
