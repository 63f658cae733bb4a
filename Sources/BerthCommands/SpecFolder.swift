import BerthModel
import Foundation

/// Reads the specs folder: every `*.json` at any depth, except hidden files and folders.
public enum SpecFolder {
    public static func load(_ directory: String) throws -> DesiredState {
        let read = try read(directory)
        var state = DesiredState.assemble(files: read.files)
        state.errors += read.unreadable
        state.invalidFiles += read.unreadable.map(\.file)
        state.fileCount += read.unreadable.count
        return state
    }

    /// The bytes of every spec file, and an error for each that could not be read.
    static func read(_ directory: String) throws -> (files: [(path: String, bytes: [UInt8])], unreadable: [SpecError]) {
        try requireFolder(directory)
        var files: [(path: String, bytes: [UInt8])] = []
        var unreadable: [SpecError] = []
        for relative in try specFiles(in: directory) {
            let path = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
            if let data = FileManager.default.contents(atPath: path) {
                files.append((path, [UInt8](data)))
            } else {
                unreadable.append(SpecError(file: path, path: .root, position: JSONPosition(line: 1, column: 1), message: "cannot read the file"))
            }
        }
        return (files, unreadable)
    }

    static func requireFolder(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw BerthError(.usage, "specs folder \(directory) does not exist or is not a folder")
        }
    }

    /// Relative paths, sorted, so that every run reads in the same order.
    public static func specFiles(in directory: String) throws -> [String] {
        let root = URL(fileURLWithPath: directory)
        guard let walker = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw BerthError(.io, "cannot read the specs folder \(directory)")
        }
        var out: [String] = []
        let prefix = root.standardizedFileURL.path
        for case let url as URL in walker where url.pathExtension == "json" {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var path = url.standardizedFileURL.path
            if path.hasPrefix(prefix + "/") { path = String(path.dropFirst(prefix.count + 1)) }
            out.append(path)
        }
        return out.sorted()
    }
}
