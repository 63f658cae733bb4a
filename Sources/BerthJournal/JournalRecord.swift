/// One line of `state/journal.jsonl`: something berth planned, did, or failed to do.
///
/// Only `event` is required when creating a record; `seq` and `time` are filled in by
/// `Journal.append`, and every nil field is left out of the JSON so lines stay short and a
/// reader never has to tell "absent" from "null".
public struct JournalRecord: Sendable, Codable, Equatable {
    /// Position in the journal: strictly increasing across the file's whole life, including
    /// restarts. Gaps are possible (a failed write consumes its numbers); repeats are not.
    public var seq: Int
    /// When the record was appended, RFC 3339 UTC with milliseconds: `2026-11-24T03:35:04.123Z`.
    public var time: String
    /// What happened: `plan`, `action-start`, `action-ok`, `action-failed`, `action-retry`,
    /// `spec-error`, `apply-start`, `apply-end`, ...
    public var event: String
    /// The spec owner (project) the record is about.
    public var owner: String?
    /// The target (host or platform) the action ran against.
    public var target: String?
    /// The resource kind, such as `container`, `network`, `volume`.
    public var kind: String?
    /// The resource name.
    public var name: String?
    /// The replica index for replicated services.
    public var replica: Int?
    /// The planned operation: `create`, `replace`, `remove`, ...
    public var op: String?
    /// Why the planner chose the operation.
    public var reason: String?
    /// The failure, for `action-failed`, `action-retry` and `spec-error`.
    public var error: String?
    /// The spec file involved, for spec errors.
    public var file: String?
    /// Free text for people reading the journal.
    public var message: String?
    /// The attempt number, counting from 1, for retried actions.
    public var attempt: Int?
    /// A count, such as the number of actions in a plan.
    public var count: Int?
    /// Anything else worth keeping, as flat string pairs (encoded with sorted keys).
    public var detail: [String: String]?
    /// The commit the pass read its specs from; absent in journals written before berth
    /// recorded it, and when the specs folder is not in a git repository.
    public var revision: JournalRevision?

    /// Creates a record to append; `seq` and `time` start empty and are set by the journal.
    public init(
        event: String,
        owner: String? = nil,
        target: String? = nil,
        kind: String? = nil,
        name: String? = nil,
        replica: Int? = nil,
        op: String? = nil,
        reason: String? = nil,
        error: String? = nil,
        file: String? = nil,
        message: String? = nil,
        attempt: Int? = nil,
        count: Int? = nil,
        detail: [String: String]? = nil,
        revision: JournalRevision? = nil
    ) {
        self.seq = 0
        self.time = ""
        self.event = event
        self.owner = owner
        self.target = target
        self.kind = kind
        self.name = name
        self.replica = replica
        self.op = op
        self.reason = reason
        self.error = error
        self.file = file
        self.message = message
        self.attempt = attempt
        self.count = count
        self.detail = detail
        self.revision = revision
    }
}
