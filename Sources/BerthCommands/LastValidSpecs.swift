import BerthModel
import BerthSystem
import Foundation

/// For `watch`: an edit that makes a file invalid keeps that file's last valid version in
/// force (a copy under state/last-valid/), reported but not acted on as if it were gone.
/// The next valid save takes over; deleting the file removes what it described.
enum LastValidSpecs {
    static func load(specs directory: String, store: String) throws -> DesiredState {
        let current = try SpecFolder.read(directory)
        let apps = SpecFolder.appFiles(current.files.map(\.path))
        var files: [(path: String, bytes: [UInt8])] = []
        var errors: [SpecError] = []
        var invalid: [String] = []
        for file in current.files {
            let relative = String(file.path.dropFirst(directory.count)).drop { $0 == "/" }
            let copy = store + "/" + relative
            let result = SpecDecoder.decode(file: file.path, bytes: file.bytes, app: apps.contains(file.path))
            if result.isValid {
                files.append(file)
                if (try? FileSystem.readFile(copy)) != file.bytes {
                    try? FileSystem.makeDirectories((copy as NSString).deletingLastPathComponent)
                    try? AtomicFile.write(file.bytes, to: copy)
                }
            } else {
                errors += result.errors
                invalid.append(file.path)
                if let kept = try? FileSystem.readFile(copy) { files.append((file.path, kept)) }
            }
        }
        removeStale(store: store, keep: Set(current.files.map { String($0.path.dropFirst(directory.count)).drop { $0 == "/" } }.map(String.init)))
        var state = DesiredState.assemble(files: files, apps: apps)
        state.errors = errors + state.errors + current.unreadable
        state.invalidFiles += invalid + current.unreadable.map(\.file)
        state.fileCount = current.files.count + current.unreadable.count
        ImageSources.fill(&state)
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
