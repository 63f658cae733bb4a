import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

/// The fingerprinted configuration behind each config hash in use, so a later plan can show
/// a field diff for a replacement. Secrets are stored only as fingerprints.
public enum ConfigStore {
    public static func load(_ path: String) -> [String: JSONValue] {
        // Read without following a link; the commands refuse a planted one before this, loudly.
        guard let bytes = try? StateFolderGuard.read(path), let root = try? JSONParser.parse(bytes) else { return [:] }
        return root.value.objectValue ?? [:]
    }

    /// Keeps the configurations of `desired` and of any hash still in use.
    /// `key`: the fingerprint key the plan used; stored in the state folder (beside `path`)
    /// when it holds none yet, so the next plan compares with the same key.
    public static func save(_ path: String, previous: [String: JSONValue], desired: [Spec], inUse: Set<String>, key: [UInt8]) throws {
        let key = try FingerprintKey.keep(key, stateDirectory: FileSystem.deletingLastComponent(of: path))
        var out = previous.filter { inUse.contains($0.key) }
        for spec in desired { out[spec.configHash] = spec.canonicalConfig(secrets: .fingerprint(key: key)) }
        // watch saves after every pass: write only what changed.
        if out == previous && FileSystem.exists(path) { return }
        try StateFolderGuard.write(Array((JSONValue.object(out).serialized(pretty: true) + "\n").utf8), to: path)
    }
}
