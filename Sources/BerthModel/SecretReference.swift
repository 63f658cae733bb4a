/// An env value written in a spec as `{"file": "/run/secrets/db"}` or `{"env": "DB_PASSWORD"}`:
/// the secret stays out of the spec (and out of git) and is read by the commands whenever the
/// specs are read. The model only checks the reference's shape.
public struct SecretReference: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        /// A file's content, one trailing newline dropped; a relative path is taken from the
        /// folder of the spec file.
        case file(String)
        /// A variable of berth's own environment.
        case environment(String)
    }

    public var source: Source
    /// Where the reference is written, for messages about it.
    public var path: JSONPath
    public var position: JSONPosition

    public init(source: Source, path: JSONPath, position: JSONPosition) {
        self.source = source; self.path = path; self.position = position
    }
}

extension Spec {
    /// Puts the value a reference led to in place: an env value from here on, and a secret
    /// whatever its name, so it is shown and stored only as a fingerprint.
    public mutating func resolve(_ name: String, value: String) {
        env[name] = value
        secretEnv.insert(name)
    }
}
