import BerthModel
import BerthSystem
import Synchronization

/// Bind mounts' host folders, checked where the engine runs on this host (a `unix://`
/// address): for a missing source the engine makes an empty folder owned by root in its
/// place, and the container starts on nothing. A missing one makes its file invalid, with
/// the error at the mount, so nothing the file describes is touched until it exists.
enum BindSources {
    /// The Docker targets whose engine is on this host.
    static func localTargets(_ settings: Settings) -> Set<TargetName> {
        Set(settings.catalog.targets.values.filter { entry in
            entry.platform == .docker && (entry.host ?? settings.dockerHost).hasPrefix("unix://")
        }.map(\.name))
    }

    /// Takes the specs of files with a missing bind source out of `state` (their files become
    /// invalid, so deletions are held as for any invalid file); returns the missing paths.
    @discardableResult
    static func check(_ state: inout DesiredState, local: Set<TargetName>,
                      exists: (String) -> Bool = { FileSystem.exists($0) }) -> Set<String> {
        var failed: [String: [SpecError]] = [:]
        var missing: Set<String> = []
        var reported: Set<String> = []
        for spec in state.specs where local.contains(spec.target) {
            for mount in spec.volumes where mount.isBind && !exists(mount.source) {
                missing.insert(mount.source)
                let error = SpecError(
                    file: spec.origin.file, path: mount.path ?? spec.origin.path.appending(key: "volumes"),
                    position: mount.position ?? spec.origin.position,
                    message: "bind source \(mount.source) does not exist on this host: create it, or fix the path (the engine would make an empty folder owned by root in its place)")
                // A spec fanned out over a group is one place in the file: said once.
                if reported.insert(error.description).inserted { failed[spec.origin.file, default: []].append(error) }
            }
        }
        guard !failed.isEmpty else { return [] }
        state.specs.removeAll { failed[$0.origin.file] != nil }
        state.errors += failed.keys.sorted().flatMap { failed[$0]! }
        state.invalidFiles += failed.keys.sorted().filter { !state.invalidFiles.contains($0) }
        return missing
    }
}

/// `watch`: the bind sources the last pass missed. Their appearing is no file event of the
/// specs folder, so they are looked at every second, and the pass runs again when one is there.
final class MissingBindSources: Sendable {
    private let paths = Mutex<Set<String>>([])

    func set(_ missing: Set<String>) { paths.withLock { $0 = missing } }

    /// True once any of them exists (and forgets them: the next pass says what is still missing).
    func appeared() -> Bool {
        paths.withLock { paths in
            guard paths.contains(where: { FileSystem.exists($0) }) else { return false }
            paths = []
            return true
        }
    }
}
