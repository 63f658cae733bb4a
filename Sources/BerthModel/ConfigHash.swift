/// The config hash labels every resource with the desired configuration it was made from,
/// so change is seen without comparing engine fields one by one (Compose's config-hash,
/// InfraKit's config_sha). Replicas are left out: scaling must not replace anything.
extension Spec {
    /// Canonical desired configuration: what a replica is made from.
    /// `secrets: .fingerprint` gives the form that may be stored and diffed.
    public func canonicalConfig(secrets: SecretHandling = .keep) -> JSONValue {
        var env: [String: JSONValue] = [:]
        for (key, value) in self.env {
            let shown = secrets == .fingerprint && Secrets.isSecret(key: key) ? Secrets.fingerprint(value) : value
            env[key] = .string(shown)
        }
        var object: [String: JSONValue] = [
            "target": .string(target),
            "image": .string(image),
            "env": .object(env),
            "ports": .array(ports.map { .string($0.description) }),
            "volumes": .array(volumes.map { .string($0.description) }),
            "labels": .object(labels.mapValues { .string($0) }),
        ]
        if let command { object["command"] = .array(command.map { .string($0) }) }
        if let restart { object["restart"] = .string(restart.rawValue) }
        if let docker { object["docker"] = docker }
        if let mode { object["mode"] = .string(mode.rawValue) }
        if let update { object["update"] = update.json }
        if let swarm { object["swarm"] = swarm }
        if let source = imageSource.canonical { object["imageSource"] = source }
        if let namespace { object["namespace"] = .string(namespace) }
        if let kubernetes { object["kubernetes"] = secrets == .fingerprint ? KubeSecrets.fingerprinted(kubernetes) : kubernetes }
        if !manifests.isEmpty {
            object["manifests"] = .array(manifests.map { secrets == .fingerprint ? KubeSecrets.fingerprinted($0.object) : $0.object })
        }
        return .object(object)
    }

    /// sha256 of the canonical configuration's canonical text, lowercase hex.
    public var configHash: String { SHA256.hex(canonicalConfig().canonicalText) }
}

public enum SecretHandling: Sendable { case keep, fingerprint }

extension UpdatePolicy {
    /// Swarm's UpdateConfig keys; also the canonical form hashed into the config hash.
    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let parallelism { object["Parallelism"] = .number(String(parallelism)) }
        if let delayNanoseconds { object["Delay"] = .number(String(delayNanoseconds)) }
        if let order { object["Order"] = .string(order) }
        if let failureAction { object["FailureAction"] = .string(failureAction) }
        return .object(object)
    }
}
