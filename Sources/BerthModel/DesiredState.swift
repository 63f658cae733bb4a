/// Everything the spec folder says, after validation: the valid specs, every error, and
/// which files were invalid (their resources must be left exactly as they are).
public struct DesiredState: Sendable {
    public var specs: [Spec]
    public var errors: [SpecError]
    public var invalidFiles: [String]
    /// Files read, valid or not: an empty folder is a fact the deletion guard looks at.
    public var fileCount: Int
    /// Risky fields of valid files, when no policy judges them: `plan` shows one line each.
    public var warnings: [SpecError] = []
    /// Spec names a person suspended (`berth suspend`, state/suspended.json): left alone like
    /// a spec saying `"suspend": true`, also when their file is gone.
    public var suspended: Set<SpecName> = []
    /// Targets that could not be observed this pass, and the names of the specs naming them:
    /// a resource of such a name elsewhere may be one that is moving to that target, so no
    /// deletion of that name is planned on any target until it is observed again.
    public var unobservedTargets: Set<TargetName> = []
    public var unobservedNames: Set<SpecName> = []

    public init(specs: [Spec], errors: [SpecError] = [], invalidFiles: [String] = [], fileCount: Int? = nil) {
        self.specs = specs; self.errors = errors; self.invalidFiles = invalidFiles
        self.fileCount = fileCount ?? Set(specs.map(\.origin.file)).count
    }

    /// Decodes every file and checks what no single file can: the same name and target
    /// defined twice. Both definitions are refused, so neither silently wins.
    /// `apps` names the files that are app folders' app.json.
    /// `policy` is the operator's (`--policy`); a file with a spec that breaks it is invalid.
    public static func assemble(files: [(path: String, bytes: [UInt8])], apps: Set<String> = [], policy: Policy? = nil,
                                catalog: TargetCatalog = .implicit) -> DesiredState {
        var results: [(path: String, result: SpecDecoder.FileResult)] = files
            .sorted { $0.path < $1.path }
            .map { ($0.path, SpecDecoder.decode(file: $0.path, bytes: $0.bytes, app: apps.contains($0.path), policy: policy, catalog: catalog)) }

        var firstSeen: [String: Spec] = [:]
        var duplicateErrors: [String: [SpecError]] = [:]
        // Seen mirrors by file, so a file of thousands of copies of one name stays linear.
        var mirrors: Set<String> = []
        for (_, result) in results {
            for spec in result.specs {
                let id = spec.target.qualifying(spec.name)
                if let first = firstSeen[id] {
                    let error = SpecError(
                        file: spec.origin.file, path: spec.origin.path.appending(key: "name"), position: spec.origin.position,
                        message: "\"\(spec.name)\" (target \(spec.target)) is also defined at \(first.origin.file):\(first.origin.position)")
                    duplicateErrors[spec.origin.file, default: []].append(error)
                    let mirror = SpecError(
                        file: first.origin.file, path: first.origin.path.appending(key: "name"), position: first.origin.position,
                        message: "\"\(spec.name)\" (target \(spec.target)) is also defined at \(spec.origin.file):\(spec.origin.position)")
                    if mirrors.insert(mirror.description).inserted {
                        duplicateErrors[first.origin.file, default: []].append(mirror)
                    }
                } else {
                    firstSeen[id] = spec
                }
            }
        }
        // One reference made from two sources would be built twice into one tag, at once.
        var madeBy: [String: Spec] = [:]
        for (_, result) in results {
            for spec in result.specs {
                if case .registry = spec.imageSource.kind { continue }
                guard let first = madeBy[spec.image] else { madeBy[spec.image] = spec; continue }
                guard first.imageSource.kind != spec.imageSource.kind else { continue }
                for (this, other) in [(spec, first), (first, spec)] {
                    duplicateErrors[this.origin.file, default: []].append(SpecError(
                        file: this.origin.file, path: this.imageSource.path ?? this.origin.path.appending(key: "image"),
                        position: this.imageSource.position ?? this.origin.position,
                        message: "image \(this.image) is also made from another source at \(other.origin.file):\(other.imageSource.position ?? other.origin.position); give each source its own \"ref\""))
                }
            }
        }
        // Only specs not refused already: a duplicate name is said once, not again as a clash.
        let refused = Set(duplicateErrors.keys)
        let collisions = Collisions.ports(results.filter { !refused.contains($0.path) }.flatMap(\.result.specs))
        for error in collisions.errors { duplicateErrors[error.file, default: []].append(error) }
        for i in results.indices {
            if let extra = duplicateErrors[results[i].path] {
                results[i].result = SpecDecoder.FileResult(specs: [], errors: SpecDecoder.capped(results[i].result.errors + extra))
            } else if collisions.files.contains(results[i].path) {
                // The earlier of two colliding files: named by the other's line, refused as well.
                results[i].result.specs = []
            }
        }
        var state = DesiredState(
            specs: results.flatMap(\.result.specs),
            errors: results.flatMap(\.result.errors),
            invalidFiles: results.filter { !$0.result.isValid || collisions.files.contains($0.path) }.map(\.path),
            fileCount: files.count)
        state.warnings = results.flatMap(\.result.warnings)
        // `dependsOn` names specs of other files: an entry naming nothing, or a cycle, refuses
        // the files involved, so what they describe is left as it is (deletions held).
        let dependencies = Dependencies.resolve(state.specs, invalidFiles: state.invalidFiles)
        if !dependencies.invalidFiles.isEmpty {
            state.specs.removeAll { dependencies.invalidFiles.contains($0.origin.file) }
            state.errors += dependencies.errors
            state.invalidFiles += dependencies.invalidFiles.sorted()
            state.warnings.removeAll { dependencies.invalidFiles.contains($0.file) }
        }
        return state
    }
}
