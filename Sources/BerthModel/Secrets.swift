/// Secrets never reach plan output, logs or the journal: values of env keys that look
/// like credentials are shown as a keyed fingerprint instead (`SecretMask`).
public enum Secrets {
    /// Parts of a name that say its value is a credential, matched case-insensitively
    /// anywhere in the name (API_TOKEN, DB_PASSWD, AWS_CREDENTIALS, BASIC_AUTH, SSH_KEY...).
    /// "pass" covers PASSWORD and PASSWD. A harmless name that matches (PASSENGERS) only has
    /// its value hidden in plans.
    static let words = ["pass", "pwd", "secret", "token", "key", "credential", "auth", "private", "dsn", "session", "cookie"]

    /// (?i)(pass|pwd|secret|token|key|credential|auth|private|dsn|session|cookie) anywhere in
    /// the key, as documented in the README.
    public static func isSecret(key: String) -> Bool {
        let lower = key.lowercased()
        return words.contains { lower.contains($0) }
    }

    /// An unkeyed fingerprint, for callers that hold no state folder. Prefer `SecretMask`.
    public static func fingerprint(_ value: String) -> String { SecretMask().fingerprint(value) }

    /// `value` with the password of any `scheme://user:password@host` in it replaced by
    /// `replacement(password)`; nil when there is none.
    static func maskingURLPasswords(_ value: String, _ replacement: (String) -> String) -> String? {
        guard value.contains("://"), value.contains("@") else { return nil }
        var out = ""
        var rest = Substring(value)
        var changed = false
        while let scheme = rest.firstRange(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            // The authority ends at the first / ? # , ; quote or blank (lists of URLs); credentials end at its last @.
            let authorityEnd = rest.firstIndex { "/?#,; \"'".contains($0) } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            // A password already replaced by a fingerprint is left as it is.
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":"),
               !authority[authority.index(after: colon)...].hasPrefix("(redacted") {
                out += authority[...colon] + replacement(String(authority[authority.index(after: colon)..<at])) + authority[at...]
                rest = rest[authorityEnd...]
                changed = true
            }
        }
        return changed ? out + rest : nil
    }
}

/// How secret values are shown for one spec: names that look like credentials, the names
/// the spec marks secret itself (`secretEnv`), and passwords inside URLs, each replaced by a
/// fingerprint keyed with the state folder's own key (HMAC-SHA256), so a fingerprint in a
/// plan or in configs.json cannot be checked against a dictionary of common passwords.
public struct SecretMask: Sendable, Equatable {
    public var key: [UInt8]
    public var names: Set<String>
    /// Env variables whose values were sealed in the spec: shown as "(sealed:…)".
    public var sealed: Set<String>

    public init(key: [UInt8] = [], names: Set<String> = [], sealed: Set<String> = []) {
        self.key = key; self.names = names; self.sealed = sealed
    }

    public func isSecret(name: String) -> Bool { names.contains(name) || sealed.contains(name) || Secrets.isSecret(key: name) }

    /// A fingerprint lets a diff say "changed" without carrying the value: short enough that it
    /// cannot identify the secret, long enough that a change is almost always seen.
    public func fingerprint(_ value: String) -> String {
        "(redacted:" + String(HMAC.sha256Hex(key: key, message: Array(value.utf8)).prefix(6)) + ")"
    }

    /// The value of env variable `name` as it may be stored or shown.
    public func value(name: String, _ value: String) -> String {
        if sealed.contains(name) { return "(sealed:" + fingerprint(value).dropFirst("(redacted:".count) }
        if isSecret(name: name) { return fingerprint(value) }
        return Secrets.maskingURLPasswords(value) { fingerprint($0) } ?? value
    }

    /// A `KEY=VALUE` entry (docker's and Swarm's `Env`) as it may be stored or shown.
    public func entry(_ text: String) -> String {
        guard let equals = text.firstIndex(of: "=") else { return text }
        let name = String(text[..<equals])
        return name + "=" + value(name: name, String(text[text.index(after: equals)...]))
    }

    /// An `Env` list with every entry masked.
    func entries(_ list: JSONValue) -> JSONValue {
        guard let items = list.arrayValue else { return list }
        return .array(items.map { $0.stringValue.map { .string(entry($0)) } ?? $0 })
    }
}
