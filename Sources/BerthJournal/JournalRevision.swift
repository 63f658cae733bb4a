/// The commit a record's pass read its specs from: with `--git`, the revision in force; with
/// a local specs folder inside a git work tree, its HEAD and whether the folder had
/// uncommitted changes (`dirty`), so a record made from edits nobody committed says so.
public struct JournalRevision: Sendable, Codable, Equatable {
    /// The full commit hash.
    public var hash: String
    /// The commit's first line.
    public var subject: String?
    /// `Name <email>`.
    public var author: String?
    /// The commit time, as git prints it (ISO 8601).
    public var time: String?
    /// Set for a local specs folder only: true when it differed from HEAD.
    public var dirty: Bool?

    public init(hash: String, subject: String? = nil, author: String? = nil, time: String? = nil, dirty: Bool? = nil) {
        self.hash = hash
        self.subject = subject
        self.author = author
        self.time = time
        self.dirty = dirty
    }

    /// The first 12 characters of the hash, as `history` shows it.
    public var short: String { String(hash.prefix(12)) + (dirty == true ? "+dirty" : "") }
}
