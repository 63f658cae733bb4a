/// The config hash labels every resource with the desired configuration it was made from,
/// so change is seen without comparing engine fields one by one (Compose's config-hash,
/// InfraKit's config_sha). Replicas are left out: scaling must not replace anything.
extension Spec {
    /// Canonical desired configuration: what a replica is made from.
    /// `secrets: .fingerprint(key:)` gives the form that may be stored and diffed: every
    /// secret value (`env`, `docker.Env`, Swarm's and Kubernetes' env, URL passwords) replaced
    /// by a fingerprint keyed with `key`.
    public func canonicalConfig(secrets: SecretHandling = .keep) -> JSONValue {
        var mask: SecretMask?
        if case .fingerprint(let key) = secrets { mask = secretMask(key: key) }
        var env: [String: JSONValue] = [:]
        for (key, value) in self.env {
            env[key] = .string(mask?.value(name: key, value) ?? value)
        }
        var object: [String: JSONValue] = [
            "target": .string(target.rawValue),
            "image": .string(image),
            "env": .object(env),
            "ports": .array(ports.map { .string($0.description) }),
            "volumes": .array(volumes.map { .string($0.description) }),
            "labels": .object(labels.mapValues { .string($0) }),
        ]
        if let command { object["command"] = .array(command.map { .string($0) }) }
        if let restart { object["restart"] = .string(restart.rawValue) }
        // Only when false: specs without it keep the hash they always had.
        if !prune { object["prune"] = .bool(false) }
        if let health { object["health"] = health.engineJSON }
        for payload in payloads.all { payload.canonical(into: &object, mask: mask) }
        if let source = imageSource.canonical { object["imageSource"] = source }
        // A password inside a URL may sit in any string (a command argument, a ConfigMap).
        return mask.map { $0.maskingURLs(.object(object)) } ?? .object(object)
    }

    /// sha256 of the canonical configuration's canonical text, lowercase hex.
    public var configHash: String { SHA256.hex(canonicalConfig().canonicalText) }
}

public enum SecretHandling: Sendable {
    case keep
    /// Secret values replaced by fingerprints keyed with the state folder's key.
    case fingerprint(key: [UInt8])
}

extension SecretMask {
    /// Every string in `value` with the passwords of URLs in it fingerprinted.
    func maskingURLs(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(Secrets.maskingURLPasswords(text) { fingerprint($0) } ?? text)
        case .array(let items): return .array(items.map(maskingURLs))
        case .object(let members): return .object(members.mapValues(maskingURLs))
        default: return value
        }
    }

    /// `value` with the `KEY=VALUE` list at `path` (a native fragment's Env) masked.
    func masking(_ value: JSONValue, envAt path: [String]) -> JSONValue {
        guard let first = path.first, var members = value.objectValue, let inner = members[first] else { return value }
        members[first] = path.count == 1 ? entries(inner) : masking(inner, envAt: Array(path.dropFirst()))
        return .object(members)
    }
}

extension UpdatePolicy {
    /// Swarm's UpdateConfig keys; also the canonical form hashed into the config hash.
    public var json: JSONValue {
        var object: [String: JSONValue] = [:]
        if let parallelism { object["Parallelism"] = .number(String(parallelism)) }
        if let delayNanoseconds { object["Delay"] = .number(String(delayNanoseconds)) }
        if let order { object["Order"] = .string(order) }
        if let failureAction { object["FailureAction"] = .string(failureAction) }
        if let monitorNanoseconds { object["Monitor"] = .number(String(monitorNanoseconds)) }
        return .object(object)
    }
}
