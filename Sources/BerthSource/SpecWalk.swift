import BerthModel
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The walk of a specs folder, following symbolic links: a release folder linked as
/// `current`, git-sync's flipped link, and the layout of a mounted Kubernetes ConfigMap
/// (`a.json -> ..data/a.json`, `..data -> ..2026_12_04_10_00_00.123/`) all give their specs.
///
/// Hidden names (`.git`, and the ConfigMap's `..data` and `..2026…` folders) are never read
/// as spec folders themselves: they are reached only through a link, so each spec is read
/// once. A link that loops or leads nowhere is a problem naming the link and its target,
/// which makes the folder's desired state invalid, so nothing is deleted on its account.
struct SpecWalk {
    /// Relative to the root, sorted, with the names of links as found (`current/a.json`).
    var files: [String] = []
    /// A link that loops or leads nowhere, relative to the root, and what is wrong with it.
    var problems: [(link: String, message: String)] = []

    /// The most folders one walk visits (through links too): a bound on a link that points
    /// into a large tree, or many links to one folder, that would otherwise never end.
    static let maxFolders = 10_000

    init(_ directory: String, maxFolders: Int = SpecWalk.maxFolders) throws {
        guard let rootReal = Self.realPath(directory) else {
            throw BerthError(.io, "cannot read the specs folder \(directory)")
        }
        // Depth first, each folder with the real paths of the folders above it: a link to one
        // of those (or to itself) is a loop. The folders above the specs folder itself count
        // too: a link to one of them would read the specs folder again from inside.
        var rootAbove: Set<String> = []
        var parent = rootReal
        while parent != "/" && !parent.isEmpty {
            parent = String(parent[..<(parent.lastIndex(of: "/") ?? parent.startIndex)])
            rootAbove.insert(parent.isEmpty ? "/" : parent)
        }
        var pending: [(relative: String, real: String, above: Set<String>)] = [("", rootReal, rootAbove)]
        var visited = 0
        while let folder = pending.popLast() {
            visited += 1
            if visited > maxFolders {
                throw BerthError(.io, "the specs folder \(directory) holds more than \(maxFolders) folders (counting those reached through links): "
                    + "a link probably leads into a large tree; point it at the folder of your specs")
            }
            let path = Self.join(directory, folder.relative)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                if folder.relative.isEmpty { throw BerthError(.io, "cannot read the specs folder \(directory)") }
                problems.append((folder.relative, "cannot read the folder"))
                continue
            }
            let above = folder.above.union([folder.real])
            var children: [(relative: String, real: String, above: Set<String>)] = []
            for name in names.sorted() where !name.hasPrefix(".") {
                let relative = folder.relative.isEmpty ? name : folder.relative + "/" + name
                let childPath = Self.join(directory, relative)
                var info = stat()
                guard lstat(childPath, &info) == 0 else { continue } // gone since the listing
                var isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
                var isFile = (info.st_mode & S_IFMT) == S_IFREG
                var real = folder.real + "/" + name
                if (info.st_mode & S_IFMT) == S_IFLNK {
                    let target = Self.linkTarget(childPath)
                    var followed = stat()
                    guard stat(childPath, &followed) == 0 else {
                        let loop = errno == ELOOP
                        problems.append((relative, loop
                            ? "the symbolic link \(relative) -> \(target) loops (links lead back to each other): point it at a file or folder"
                            : "the symbolic link \(relative) -> \(target) leads nowhere (its target does not exist): fix the link or remove it"))
                        continue
                    }
                    isDirectory = (followed.st_mode & S_IFMT) == S_IFDIR
                    isFile = (followed.st_mode & S_IFMT) == S_IFREG
                    if isDirectory {
                        guard let resolved = Self.realPath(childPath) else { continue }
                        if above.contains(resolved) {
                            problems.append((relative, "the symbolic link \(relative) -> \(target) loops: it leads to a folder above it (\(resolved)); point it elsewhere"))
                            continue
                        }
                        real = resolved
                    }
                }
                if isDirectory {
                    // An app folder (Dockerfile + app.json) is a build context: of its files only
                    // app.json is a spec (a package.json in it is not).
                    if FileManager.default.fileExists(atPath: childPath + "/Dockerfile"), FileManager.default.fileExists(atPath: childPath + "/app.json") {
                        files.append(relative + "/app.json")
                    } else {
                        children.append((relative, real, above))
                    }
                } else if isFile, name.hasSuffix(".json"), name.count > ".json".count {
                    files.append(relative)
                }
            }
            // Reversed, so the stack takes them in name order.
            pending += children.reversed()
        }
        files.sort()
    }

    static func join(_ directory: String, _ relative: String) -> String {
        if relative.isEmpty { return directory }
        return directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
    }

    /// The link's target as written in it (`..data/a.json`), for messages.
    static func linkTarget(_ path: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
