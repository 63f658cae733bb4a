import BerthModel
import BerthSystem
import FoundationEssentials
import Glibc

/// A reviewed plan, saved by `berth plan -out FILE` and applied exactly by `berth apply FILE`
/// (as Terraform's saved plans). The file carries no secret value: actions are kept by
/// identity only (operation, resource, the id acted on, the config hash) and their bodies are
/// derived again at apply time from the specs, which must be unchanged; specs and observed
/// resources are kept as keyed digests. This is the one place actions are written and read.
struct SavedPlan: Equatable {
    static let formatVersion = 1
    static let fileSuffix = ".berth"

    /// What identifies an action: enough to tell that the action apply derives again is the
    /// one reviewed, nothing that could hold a secret (reasons and changes are shown text only).
    struct ActionID: Equatable, Comparable, CustomStringConvertible {
        var op: String
        var key: ResourceKey
        var existingID: String?
        var configHash: String?
        var strategy: String?

        /// The config hash is kept keyed (`key`): the bare hash of a configuration not applied
        /// yet would let a reader test guesses of a weak secret value in it.
        init(_ action: Action, key digestKey: [UInt8]) {
            op = action.op.rawValue; key = action.key; existingID = action.existingID
            configHash = action.configHash.map { SavedPlan.keyed($0, digestKey) }; strategy = action.strategy?.rawValue
        }

        init(op: String, key: ResourceKey, existingID: String?, configHash: String?, strategy: String?) {
            self.op = op; self.key = key; self.existingID = existingID; self.configHash = configHash; self.strategy = strategy
        }

        static func < (a: ActionID, b: ActionID) -> Bool { (a.key, a.op, a.existingID ?? "") < (b.key, b.op, b.existingID ?? "") }

        var description: String { "\(op) \(key)" + (existingID.map { " (\($0.prefix(12)))" } ?? "") }
    }

    /// One observed resource as the plan saw it: what it is, and its id, config hash and state.
    struct Seen: Equatable {
        var resource: String
        var configHash: String?
        var state: String
    }

    var owner: String
    /// Where the specs came from ("specs folder /abs/specs", or the git URL, branch and path).
    var source: String
    var selection: [String]?
    var allowDelete: [String]
    var allowMassDelete: Bool
    var allowMassCreate: Bool
    /// The digest key when the state folder had none yet (nothing applied); else the state
    /// folder's fingerprint key is used and never written here.
    var digestKey: [UInt8]?
    /// "target/name" -> (file, digest of the loaded spec).
    var specs: [String: SpecDigests.Entry]
    /// Invalid files -> digest of their errors.
    var invalidFiles: [String: String]
    var suspended: [String]
    /// Observed resources by id.
    var observed: [String: Seen]
    var actions: [ActionID]
    /// Actions the Kubernetes dry run refused when the plan was made: not done at apply.
    var refused: [ActionID]
    /// The plan as `plan` printed it (plain text, secrets masked) and as `plan --json` does.
    var text: String
    var json: JSONValue

    var choices: Reconcile.Choices {
        var choices = Reconcile.Choices()
        choices.selection = selection.map { Set($0.map { SpecName($0) }) }
        choices.allowDelete = Set(allowDelete)
        choices.allowMassDelete = allowMassDelete
        choices.allowMassCreate = allowMassCreate
        return choices
    }

    static func keyed(_ text: String, _ key: [UInt8]) -> String { HMAC.sha256Hex(key: key, message: Array(text.utf8)) }

    /// Where the specs come from, as a saved plan records it.
    static func source(_ settings: Settings) -> String {
        if let git = settings.gitSource { return "git \(git.shownURL) branch \(git.branch)" + (git.path.isEmpty ? "" : " path \(git.path)") }
        return "specs folder " + URL(fileURLWithPath: settings.specsDirectory).standardizedFileURL.path
    }

    /// Writes the file 0600 (atomically: a reader never sees half a plan).
    func write(to path: String) throws {
        try AtomicFile.write(encoded.serialized() + "\n", to: path)
        chmod(path, 0o600)
    }

    static func read(_ path: String) throws -> SavedPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BerthError(.usage, "cannot read the saved plan \(path): \(String(cString: strerror(errno))); make one with `berth plan -out \(path)`")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(data).value } catch {
            throw BerthError(.usage, "\(path): not a saved plan (\(error)); make one with `berth plan -out \(path)`")
        }
        guard let plan = SavedPlan(value) else {
            throw BerthError(.usage, "\(path): not a saved plan of this berth (format \(formatVersion)); make it again with `berth plan -out \(path)`")
        }
        return plan
    }
}
