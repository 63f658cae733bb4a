import BerthModel

/// One log line as data: the sentence a person reads, and for `--log-format json` the fields
/// a machine filters on. Text output shows only `message`, as before.
/// A string literal is an event with no fields (its level read from its wording, see `plain`),
/// so `log("…")` reads as it did.
public struct LogEvent: Sendable, Equatable, ExpressibleByStringInterpolation {
    public enum Level: String, Sendable, Comparable, CaseIterable {
        case error, warning, info, debug
        /// The syslog priority journald reads from a `<N>` prefix.
        public var syslogPriority: Int {
            switch self {
            case .error: 3
            case .warning: 4
            case .info: 6
            case .debug: 7
            }
        }
        public static func < (a: Level, b: Level) -> Bool { a.syslogPriority < b.syslogPriority }
    }

    /// The fields a record may carry; each appears only where it applies.
    public struct Fields: Sendable, Equatable {
        /// What happened: "action", "action-failed", "action-retry", "retry", "refused", "engine-down", "spec-error"…
        public var event: String?
        public var target: String?
        public var kind: String?
        public var name: String?
        public var replica: Int?
        public var op: String?
        public var reason: String?
        public var attempt: Int?
        public var durationMs: Int?
        public var error: String?
        /// The commit of the specs in force (git, or a local work tree).
        public var revision: String?
        public init() {}
    }

    public var message: String
    public var level: Level
    public var fields: Fields

    public init(_ message: String, level: Level = .info, fields: Fields = Fields()) {
        self.message = message; self.level = level; self.fields = fields
    }

    public init(stringLiteral value: String) { self = .plain(value) }
    public init(stringInterpolation: DefaultStringInterpolation) { self = .plain(String(stringInterpolation: stringInterpolation)) }

    /// A plain line from a part of berth that states no level: its level read from its
    /// wording (the sentences berth writes for failures), info otherwise.
    public static func plain(_ message: String) -> LogEvent {
        LogEvent(message, level: guessLevel(message))
    }

    static let errorWords = ["cannot ", "failed", "refused", "gave up", "not delivered", " error", "invalid"]
    static let warningWords = ["unreachable", "is gone", " lost", "retrying", "reconnecting", "crash-looping", "blocked",
                               "abandoned", "warning", "held", "not tried again", "not delivered yet"]

    static func guessLevel(_ message: String) -> Level {
        let lower = message.lowercased()
        if lower.hasPrefix("image: ") { return .debug }
        if warningWords.contains(where: lower.contains) { return .warning }
        if errorWords.contains(where: lower.contains) { return .error }
        return .info
    }
}
