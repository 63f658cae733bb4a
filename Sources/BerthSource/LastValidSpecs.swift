import BerthModel
import BerthSystem
import FoundationEssentials

/// For `watch`: an edit that makes a file invalid keeps that file's last valid version in
/// force (a copy under state/last-valid/), reported but not acted on as if it were gone.
/// The next valid save takes over; deleting the file removes what it described.
public enum LastValidSpecs {
    public static func load(specs directory: String, store: String, policy: Policy? = nil, catalog: TargetCatalog = .implicit,
                            finishing: SpecFinishing) throws -> DesiredState {
        // A link anywhere under last-valid/ would make the copies below read or write
        // elsewhere: refuse the whole store (the caller then holds every deletion).
        let stateDirectory = FileSystem.parentDirectory(of: store)
        try StateFolderGuard.checkTree(store)
        let current = try SpecFolder.read(directory)
        let apps = SpecFolder.appFiles(current.files.map(\.path))
        var files: [(path: String, bytes: [UInt8])] = []
        var errors: [SpecError] = []
        var invalid: [String] = []
        for file in current.files {
            let relative = String(file.path.dropFirst(directory.count)).drop { $0 == "/" }
            let copy = store + "/" + relative
            let copyFolder = FileSystem.parentDirectory(of: copy)
            let safe = (try? StateFolderGuard.makeFolders(copyFolder, inside: stateDirectory)) != nil
            var result = SpecDecoder.decode(file: file.path, bytes: file.bytes, app: apps.contains(file.path), policy: policy, catalog: catalog)
            // A sealed value this installation cannot open makes the edit invalid like any
            // other error: the last copy it could open stays in force.
            if result.isValid {
                var specs = result.specs
                result.errors = finishing.open(&specs)
            }
            if result.isValid {
                files.append(file)
                if safe, (try? StateFolderGuard.read(copy)) != file.bytes {
                    try? StateFolderGuard.write(file.bytes, to: copy)
                }
            } else {
                errors += result.errors
                invalid.append(file.path)
                if safe, let kept = try? StateFolderGuard.read(copy) { files.append((file.path, kept)) }
            }
        }
        removeStale(store: store, keep: Set(current.files.map { String($0.path.dropFirst(directory.count)).drop { $0 == "/" } }.map(String.init)))
        var state = DesiredState.assemble(files: files, apps: apps, policy: policy, catalog: catalog)
        // A kept copy the policy now refuses is invalid as well: each file and error once.
        var seen: Set<String> = []
        state.errors = (errors + state.errors + current.unreadable).filter { seen.insert($0.description).inserted }
        state.invalidFiles = (state.invalidFiles + invalid + current.unreadable.map(\.file)).filter { seen.insert("file " + $0).inserted }
        state.fileCount = current.files.count + current.unreadable.count
        finishing.complete(&state, directory)
        SpecFolder.tagAppImages(&state, root: directory, apps: apps)
        return state
    }

    /// Copies of files that are gone must not come back as "last valid" if a file of that
    /// name reappears broken.
    static func removeStale(store: String, keep: Set<String>) {
        guard let stored = try? SpecFolder.specFiles(in: store) else { return }
        for relative in stored where !keep.contains(relative) {
            try? FileManager.default.removeItem(atPath: store + "/" + relative)
        }
    }
}
