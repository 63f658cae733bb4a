/// The git source of a `watch --git` (or of the last `apply --git`), as `status` shows it:
/// the URL (credentials masked), the revision in force, one being checked out, one refused
/// with its errors, and the remote's error with the time it began.
public struct SourceStatus: Sendable, Codable, Equatable {
    public struct Revision: Sendable, Codable, Equatable {
        public var hash: String
        public var subject: String?
        /// When this revision came into force (or was refused).
        public var since: String?
        /// Why the revision was refused: its first spec errors.
        public var errors: [String]?

        public init(hash: String, subject: String? = nil, since: String? = nil, errors: [String]? = nil) {
            self.hash = hash; self.subject = subject; self.since = since; self.errors = errors
        }
    }

    public struct Failure: Sendable, Codable, Equatable {
        public var error: String
        public var since: String

        public init(error: String, since: String) { self.error = error; self.since = since }
    }

    public var url: String
    /// The owner the watch or apply ran as (the repository's name unless --owner said otherwise).
    public var owner: String?
    public var branch: String
    public var path: String
    public var inForce: Revision?
    public var checkingOut: Revision?
    public var refused: Revision?
    public var error: Failure?

    public init(url: String, branch: String, path: String) {
        self.url = url; self.branch = branch; self.path = path
    }

    /// The lines `berth status` prints.
    public var lines: [String] {
        var lines = ["source: git \(url), branch \(branch)" + (path.isEmpty ? "" : ", path \(path)")]
        if let inForce {
            lines.append("  in force: \(inForce.hash.prefix(12)) \(inForce.subject ?? "")" + (inForce.since.map { " (since \($0))" } ?? ""))
        } else {
            lines.append("  in force: no revision yet")
        }
        if let checkingOut { lines.append("  checking out: \(checkingOut.hash.prefix(12)) \(checkingOut.subject ?? "")") }
        if let refused {
            lines.append("  refused: \(refused.hash.prefix(12)) \(refused.subject ?? ""): its specs are invalid, the revision in force stays")
            for error in refused.errors ?? [] { lines.append("    \(error)") }
        }
        if let error { lines.append("  source error since \(error.since): \(error.error); the revision in force stays") }
        return lines
    }
}
