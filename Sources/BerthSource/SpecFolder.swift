import BerthModel
import BerthSystem
import FoundationEssentials
import Glibc

/// Reads the specs folder: every `*.json` at any depth, except hidden files and folders,
/// following symbolic links (see `SpecWalk`).
public enum SpecFolder {
    /// The largest spec file read. A spec is a few hundred bytes; a file of hundreds of
    /// megabytes is a mistake or an attack, and would be held in memory and copied into state.
    public static let maxFileBytes = 4 << 20

    /// `policy`: the operator's; a spec that breaks it makes its file invalid.
    /// `catalog`: the targets specs may name (berth.json).
    /// `finishing`: what the commands do to what was read (sealed values, image sources).
    public static func load(_ directory: String, policy: Policy? = nil, catalog: TargetCatalog = .implicit,
                            finishing: SpecFinishing) throws -> DesiredState {
        let read = try read(directory)
        let apps = appFiles(read.files.map(\.path))
        var state = DesiredState.assemble(files: read.files, apps: apps, policy: policy, catalog: catalog)
        state.errors += read.unreadable
        state.invalidFiles += read.unreadable.map(\.file)
        state.fileCount += read.unreadable.count
        finishing.complete(&state, directory)
        tagAppImages(&state, root: directory, apps: apps)
        return state
    }

    /// An app folder's image is tagged from the folder's place under the specs root and its
    /// content, never from the path as typed: `specs/site`, `./specs/site` and `/srv/specs/site`
    /// name one image, so a run by hand and one from a service unit agree.
    public static func tagAppImages(_ state: inout DesiredState, root: String, apps: Set<String>) {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        for index in state.specs.indices {
            let spec = state.specs[index]
            guard apps.contains(spec.origin.file), case .build = spec.imageSource.kind else { continue }
            var place = String(spec.origin.file.dropLast("app.json".count))
            if place.hasPrefix(prefix) { place = String(place.dropFirst(prefix.count)) }
            let tag = SHA256.hex("app 1\n\(place)\n\(spec.imageSource.sourceHash ?? "")").prefix(12)
            state.specs[index].image = "berth-app/\(spec.name):\(tag)"
        }
    }

    /// The bytes of every spec file, and an error for each that could not be read.
    public static func read(_ directory: String) throws -> (files: [(path: String, bytes: [UInt8])], unreadable: [SpecError]) {
        try requireFolder(directory)
        var files: [(path: String, bytes: [UInt8])] = []
        let walk = try SpecWalk(directory)
        // A broken link is an invalid file: the pass holds every deletion, as for a bad spec.
        var unreadable = walk.problems.map {
            SpecError(file: SpecWalk.join(directory, $0.link), path: .root, position: JSONPosition(line: 1, column: 1), message: $0.message)
        }
        for relative in walk.files {
            let path = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
            // Read at most one byte past the limit, so a huge (or growing) file is never held whole.
            let cannotRead = SpecError(file: path, path: .root, position: JSONPosition(line: 1, column: 1), message: "cannot read the file")
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { unreadable.append(cannotRead); continue }
            defer { close(fd) }
            guard let data = FileSystem.readBytes(fd, upTo: maxFileBytes + 1) else { unreadable.append(cannotRead); continue }
            if data.count > maxFileBytes {
                unreadable.append(SpecError(file: path, path: .root, position: JSONPosition(line: 1, column: 1),
                                            message: "the file is larger than \(maxFileBytes) bytes (4 MiB), the most a spec file may hold: split it into several files"))
                continue
            }
            files.append((path, [UInt8](data)))
        }
        return (files, unreadable)
    }

    /// An app.json is an app folder's spec when a Dockerfile stands beside it.
    public static func appFiles(_ paths: [String]) -> Set<String> {
        Set(paths.filter {
            ($0 == "app.json" || $0.hasSuffix("/app.json"))
                && FileManager.default.fileExists(atPath: String($0.dropLast("app.json".count)) + "Dockerfile")
        })
    }

    public static func requireFolder(_ directory: String) throws {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: directory), !FileManager.default.fileExists(atPath: directory) {
            throw BerthError(.notFound, "specs folder \(directory) is a symbolic link to \(target), which does not exist (or loops): fix the link, or point --specs at the folder of your spec files")
        }
        guard FileSystem.isDirectory(directory) else {
            throw BerthError(.notFound, "specs folder \(directory) does not exist or is not a folder: create it, or point --specs at the folder of your spec files")
        }
    }

    /// Relative paths, sorted, so that every run reads in the same order. Links are followed
    /// (see `SpecWalk`); a link that loops or leads nowhere is left out here, and `read`
    /// reports it.
    public static func specFiles(in directory: String) throws -> [String] {
        try SpecWalk(directory).files
    }
}
