import BerthModel
import BerthSystem
import FoundationEssentials

/// berth.json: where the named targets are described. An invalid file stops the command
/// before anything is observed, every mistake on its own line with its position: a target
/// half-described could send specs to the wrong place.
enum TargetsFile {
    static func load(_ given: String?, specsDirectory: String, git: Bool) throws -> TargetCatalog {
        let path: String
        if let given {
            path = given
        } else {
            // With --git the specs come from a repository: where they run is the operator's
            // to say (--config), never a pushed file's.
            if git { return .implicit }
            let beside = URL(fileURLWithPath: specsDirectory).deletingLastPathComponent().appendingPathComponent("berth.json").path
            guard FileManager.default.fileExists(atPath: beside) else { return .implicit }
            path = (specsDirectory.hasPrefix("/") ? beside : relative(beside))
        }
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch {
            throw BerthError(.usage, "cannot read the targets file \(path): \(error)")
        }
        let (catalog, errors) = TargetCatalog.parse(file: path, bytes: bytes)
        guard let catalog else {
            throw BerthError(.invalidSpec, errors.map(\.description).joined(separator: "\n")
                             + "\n(\(errors.count) error\(errors.count == 1 ? "" : "s") in the targets file; nothing was done)")
        }
        return catalog
    }

    /// A path as the user would write it from here ("berth.json", "../berth.json").
    static func relative(_ absolute: String) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return absolute.hasPrefix(here) ? String(absolute.dropFirst(here.count)) : absolute
    }
}
