/// What the planner decided: a value with a deterministic order and a readable text, which
/// is the dry-run output and the golden text of planner tests.
public struct Plan: Sendable {
    public var actions: [Action]
    public var errors: [SpecError]
    /// Deletions the planner would have made but held back (invalid files, mass-delete guard).
    public var held: [Action]
    public var notes: [String]
    /// Targets that could not be observed, whose specs the plan leaves out: the plan is partial,
    /// and says so rather than "everything matches". Shown sorted.
    public var unplannedTargets: [String]
    /// Removed specs ("docker/web") whose deletion the mass-delete guard holds: recorded in the
    /// state folder so they wait for a person.
    public var guardHeld: Set<String> = []
    /// Every removed spec's key with the number of its resources.
    public var orphanSpecs: [String: Int] = [:]
    /// How many specs were planned (0: an empty folder, which is never "everything matches").
    public var specCount = 0
    /// Creates the mass-create guard holds (all of them; `held` lists only the first few).
    public var heldCreates = 0
    /// False when no target was asked at all (no spec names one, and berth made nothing).
    public var anyTargetContacted = true
    /// False when targets were asked and none could be observed: then a target left out is
    /// a failure, not one skipped beside others that were done.
    public var anyTargetObserved = true
    /// Spec contents the platform refused (Swarm rolled the update back or paused it, the
    /// engine dropped keys): nothing is sent for them until the spec changes, and apply fails.
    public var blocked: [BlockedSpec]

    public init(actions: [Action], errors: [SpecError] = [], held: [Action] = [], notes: [String] = [],
                unplannedTargets: [String] = [], blocked: [BlockedSpec] = []) {
        self.actions = actions.sorted(); self.errors = errors; self.held = held.sorted(); self.notes = notes
        self.unplannedTargets = unplannedTargets; self.blocked = blocked.sorted { $0.key < $1.key }
    }

    public var isEmpty: Bool { actions.isEmpty }

    /// Nothing to do, nothing held, nothing invalid, nothing left unplanned: the engine matches the specs.
    public var matches: Bool { actions.isEmpty && held.isEmpty && errors.isEmpty && unplannedTargets.isEmpty && blocked.isEmpty }

    public func count(_ op: Action.Op) -> Int { actions.filter { $0.op == op }.count }
}

public struct Action: Sendable, Comparable, CustomStringConvertible {
    public enum Op: String, Sendable, CaseIterable {
        case create, replace, start
        /// Docker: a running container whose spec says `"state": "stopped"`.
        case stop
        case update
        /// Kubernetes: take over an existing object that is not berth's, because its spec
        /// says `"adopt": true`; never planned otherwise.
        case adopt
        /// Docker: a removed spec's container kept running and given up (`"prune": false`).
        case release
        case delete
    }

    public enum Strategy: String, Sendable {
        /// New one up before the old one goes: no gap.
        case startFirst = "start-first"
        /// Old one down first: needed where both cannot run at once (a fixed host port).
        case stopFirst = "stop-first"
    }

    public var op: Op
    public var key: ResourceKey
    public var reason: String
    /// The desired spec (create, replace, start, update).
    public var spec: Spec?
    public var configHash: String?
    /// The resource acted on (replace, start, delete).
    public var existingID: String?
    public var existingName: String?
    public var strategy: Strategy?
    public var changes: [FieldChange]
    /// Kubernetes create and update: the complete object to server-side apply, computed once
    /// by the planner (`KubeObject.body`) so the adapter never rebuilds it. May hold secret
    /// values: never print or journal it. Deletes name their object in `key.object` and carry
    /// only the observed `metadata.uid` here, the delete's precondition.
    public var native: JSONValue?
    /// The specs whose actions must succeed, and which must be ready, before this create,
    /// replace, start or update starts (`dependsOn`, resolved).
    public var after: [SpecKey] = []

    public init(op: Op, key: ResourceKey, reason: String, spec: Spec? = nil, configHash: String? = nil,
                existingID: String? = nil, existingName: String? = nil, strategy: Strategy? = nil,
                changes: [FieldChange] = [], native: JSONValue? = nil) {
        self.op = op; self.key = key; self.reason = reason; self.spec = spec; self.configHash = configHash
        self.existingID = existingID; self.existingName = existingName; self.strategy = strategy; self.changes = changes
        self.native = native
    }

    public static func < (a: Action, b: Action) -> Bool {
        if a.key != b.key { return a.key < b.key }
        if a.op != b.op { return Op.allCases.firstIndex(of: a.op)! < Op.allCases.firstIndex(of: b.op)! }
        return (a.existingID ?? "") < (b.existingID ?? "")
    }

    public static func == (a: Action, b: Action) -> Bool {
        a.op == b.op && a.key == b.key && a.reason == b.reason && a.existingID == b.existingID
            && a.configHash == b.configHash && a.strategy == b.strategy && a.changes == b.changes
    }

    public var description: String { "\(op.rawValue) \(key): \(reason)" }
}
