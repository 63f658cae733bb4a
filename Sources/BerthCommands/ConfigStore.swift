import BerthJSON
import BerthModel
import BerthSystem

/// The fingerprinted configuration behind each config hash in use, so a later plan can show
/// a field diff for a replacement. Secrets are stored only as fingerprints.
public enum ConfigStore {
    public static func load(_ path: String) -> [String: JSONValue] {
        guard let bytes = try? FileSystem.readFile(path), let root = try? JSONParser.parse(bytes) else { return [:] }
        return root.value.objectValue ?? [:]
    }

    /// Keeps the configurations of `desired` and of any hash still in use.
    /// `key`: the state folder's fingerprint key (`FingerprintKey`).
    public static func save(_ path: String, previous: [String: JSONValue], desired: [Spec], inUse: Set<String>, key: [UInt8]) throws {
        var out = previous.filter { inUse.contains($0.key) }
        for spec in desired { out[spec.configHash] = spec.canonicalConfig(secrets: .fingerprint(key: key)) }
        try AtomicFile.write(JSONValue.object(out).serialized(pretty: true) + "\n", to: path)
    }
}
