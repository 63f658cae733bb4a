import BerthModel
import BerthSystem
import FoundationEssentials

/// Keyed digests of the loaded specs: a change to any spec (a secret value read from a file
/// included) changes its digest, and the digest tells nothing about the values without the key.
enum SpecDigests {
    struct Entry: Equatable {
        var file: String
        var digest: String
    }

    /// `file` inside the specs folder `root`, as the plan names it: a `--git` pass reads the
    /// specs from another checkout folder at plan and at apply time.
    static func relative(_ file: String, to root: String) -> String {
        for base in [root, URL(fileURLWithPath: root).standardizedFileURL.path] {
            let prefix = base.hasSuffix("/") ? base : base + "/"
            if file.hasPrefix(prefix) { return String(file.dropFirst(prefix.count)) }
        }
        return file
    }

    static func specs(_ desired: DesiredState, root: String, key: [UInt8]) -> [String: Entry] {
        var out: [String: Entry] = [:]
        for spec in desired.specs {
            let whole: JSONValue = .object([
                "config": spec.canonicalConfig(),
                "replicas": .number(String(spec.replicas)),
                "state": .string(spec.state.rawValue),
                "suspend": .bool(spec.suspend),
                "adopt": .bool(spec.adopt),
                "removeImage": .bool(spec.removeImage),
                "secretEnv": .array(spec.secretEnv.sorted().map { .string($0) }),
                "sealed": .array(spec.sealedEnv.keys.sorted().map { .string($0) }),
            ])
            out[spec.target.qualifying(spec.name)] = Entry(file: relative(spec.origin.file, to: root),
                                                       digest: HMAC.sha256Hex(key: key, message: Array(whole.canonicalText.utf8)))
        }
        return out
    }

    /// Each invalid file with a digest of its errors (which may quote values).
    static func invalidFiles(_ desired: DesiredState, root: String, key: [UInt8]) -> [String: String] {
        let byFile = Dictionary(grouping: desired.errors, by: \.file)
        var out: [String: String] = [:]
        for file in Set(desired.invalidFiles).union(byFile.keys) {
            // Messages name other files too ("also defined at …"): by their place in the folder.
            let roots = [root, URL(fileURLWithPath: root).standardizedFileURL.path].map { $0.hasSuffix("/") ? $0 : $0 + "/" }
            let text = (byFile[file] ?? []).map { error in
                roots.reduce("\(error.path) \(error.position) \(error.message)") { $0.replacingAll($1, with: "") }
            }.sorted().joined(separator: "\n")
            out[relative(file, to: root)] = HMAC.sha256Hex(key: key, message: Array(text.utf8))
        }
        return out
    }
}

extension SavedPlan {
    /// The plan `plan -out` saves: `shown` is what was printed (after the Kubernetes dry run),
    /// `derived` the planner's own actions, which apply derives again.
    init(shown: Plan, derived: Plan, reconcile: Reconcile, choices: Reconcile.Choices, settings: Settings,
         key: [UInt8], keyInFile: Bool) {
        owner = settings.owner
        source = Self.source(settings)
        selection = choices.selection?.sorted().map(\.rawValue)
        allowDelete = choices.allowDelete.sorted()
        allowMassDelete = choices.allowMassDelete
        allowMassCreate = choices.allowMassCreate
        digestKey = keyInFile ? key : nil
        specs = SpecDigests.specs(reconcile.desired, root: settings.specsDirectory, key: key)
        invalidFiles = SpecDigests.invalidFiles(reconcile.desired, root: settings.specsDirectory, key: key)
        suspended = reconcile.desired.suspended.sorted().map(\.rawValue)
        observed = Self.seen(reconcile.observed, key: key)
        let shownIDs = shown.actions.map { ActionID($0, key: key) }.sorted()
        actions = shownIDs
        // Actions the server's dry run refused: derived again at apply, and not done.
        refused = derived.actions.map { ActionID($0, key: key) }.filter { !shownIDs.contains($0) }.sorted()
        text = shown.description
        json = shown.json
    }

    static func seen(_ observed: [ObservedResource], key: [UInt8]) -> [String: Seen] {
        var out: [String: Seen] = [:]
        for resource in observed {
            let what = "\(resource.target) \(resource.kind) \(resource.engineName)"
            out[resource.id] = Seen(resource: what, configHash: resource.configHash.map { keyed($0, key) }, state: resource.state.description)
        }
        return out
    }

    /// Why this plan may no longer be applied, one line each naming the spec file or the
    /// resource that moved; empty when the specs and the engine are as they were.
    func changes(reconcile: Reconcile, settings: Settings, key: [UInt8]) -> [String] {
        var lines: [String] = []
        if owner != settings.owner { lines.append("the plan was made for owner \"\(owner)\", this run's owner is \"\(settings.owner)\"") }
        let source = Self.source(settings)
        if self.source != source { lines.append("the plan was made from the \(self.source), this run reads the \(source)") }
        let specsNow = SpecDigests.specs(reconcile.desired, root: settings.specsDirectory, key: key)
        for name in Set(specs.keys).union(specsNow.keys).sorted() {
            switch (specs[name], specsNow[name]) {
            case (let was?, nil): lines.append("spec file \(was.file): spec \(name) is gone")
            case (nil, let now?): lines.append("spec file \(now.file): spec \(name) is new")
            case (let was?, let now?) where was.file != now.file: lines.append("spec \(name) moved from \(was.file) to \(now.file)")
            case (let was?, let now?) where was.digest != now.digest: lines.append("spec file \(now.file): spec \(name) changed")
            default: break
            }
        }
        let invalidNow = SpecDigests.invalidFiles(reconcile.desired, root: settings.specsDirectory, key: key)
        for file in Set(invalidFiles.keys).union(invalidNow.keys).sorted() where invalidFiles[file] != invalidNow[file] {
            lines.append("spec file \(file): " + (invalidNow[file] == nil ? "now valid" : invalidFiles[file] == nil ? "now invalid" : "its errors changed"))
        }
        let suspendedNow = reconcile.desired.suspended.sorted().map(\.rawValue)
        if suspended != suspendedNow {
            lines.append("suspended specs: [\(suspended.joined(separator: ", "))] then, [\(suspendedNow.joined(separator: ", "))] now")
        }
        let seenNow = Self.seen(reconcile.observed, key: key)
        for id in Set(observed.keys).union(seenNow.keys).sorted() {
            let short = String(id.prefix(12))
            switch (observed[id], seenNow[id]) {
            case (let was?, nil): lines.append("\(was.resource) (\(short)) is gone")
            case (nil, let now?): lines.append("\(now.resource) (\(short)) is new")
            case (let was?, let now?) where was.configHash != now.configHash:
                lines.append("\(now.resource) (\(short)) was changed: its config hash differs")
            case (let was?, let now?) where was.state != now.state:
                lines.append("\(now.resource) (\(short)) was \(was.state), is \(now.state)")
            default: break
            }
        }
        return lines
    }

    /// The saved actions, derived again from `plan`; throws when the planner no longer
    /// derives exactly them (a held deletion released or recorded since, say).
    func actions(of plan: Plan, key: [UInt8]) throws -> Plan {
        let derived = plan.actions.map { ActionID($0, key: key) }
        let missing = actions.filter { id in !derived.contains(id) }
        let extra = derived.filter { id in !actions.contains(id) && !refused.contains(id) }
        if !missing.isEmpty || !extra.isEmpty {
            let lines = missing.map { "planned then, not now: \($0)" } + extra.map { "not planned then, planned now: \($0)" }
            throw BerthError(.conflict, lines.joined(separator: "\n  "))
        }
        var out = plan
        out.actions = plan.actions.filter { actions.contains(ActionID($0, key: key)) }
        return out
    }
}
