/// Secrets never reach plan output, logs or the journal: values of env keys that look
/// like credentials are shown as a marker instead.
public enum Secrets {
    public static let marker = "(redacted)"
    static let words = ["password", "secret", "token", "key"]

    /// (?i)(password|secret|token|key) anywhere in the key, as documented in the README.
    public static func isSecret(key: String) -> Bool {
        let lower = key.lowercased()
        return words.contains { lower.contains($0) }
    }

    public static func redact(_ env: [String: String]) -> [String: String] {
        env.reduce(into: [:]) { out, pair in out[pair.key] = isSecret(key: pair.key) ? marker : pair.value }
    }

    /// A fingerprint lets a diff say "changed" without carrying the value: short enough that it
    /// cannot identify the secret, long enough that a change is almost always seen.
    public static func fingerprint(_ value: String) -> String {
        "(redacted:" + String(SHA256.hex(value).prefix(6)) + ")"
    }
}
