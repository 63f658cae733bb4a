/// One changed field between the configuration a resource was made from and the desired one.
public struct FieldChange: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var old: String?
    public var new: String?
    public init(path: String, old: String?, new: String?) { self.path = path; self.old = old; self.new = new }

    public var description: String {
        // A sealed value is named as such, never shown, not even as a fingerprint.
        if [old, new].contains(where: { $0?.hasPrefix("\"(sealed") == true }) {
            if old == nil { return "\(path): (sealed) added" }
            if new == nil { return "\(path): (sealed) removed" }
            return "\(path): (sealed) value changed"
        }
        let redacted = [old, new].contains { $0?.hasPrefix("\"(redacted") == true }
        if redacted {
            if old == nil { return "\(path): (secret added)" }
            if new == nil { return "\(path): (secret removed)" }
            return "\(path): (secret value changed)"
        }
        switch (old, new) {
        case (nil, let n?): return "\(path): added \(n)"
        case (let o?, nil): return "\(path): removed (was \(o))"
        case (let o?, let n?): return "\(path): \(o) -> \(n)"
        default: return path
        }
    }
}

/// Field diff of two canonical configurations, flattened to dotted paths, sorted.
/// Both sides should be fingerprinted configurations: a diff is shown to people.
public enum ConfigDiff {
    /// Why a resource made from `oldHash` must change for `spec`: the field diff when the
    /// earlier configuration was recorded, else the two hashes.
    /// `key`: the state folder's fingerprint key, the one the known configurations were stored with.
    static func configChanged(from oldHash: String?, to spec: Spec, hash: String, known: [String: JSONValue], key: [UInt8]) -> (reason: String, changes: [FieldChange]) {
        if let old = oldHash.flatMap({ known[$0] }) {
            return ("configuration changed", changes(from: old, to: spec.canonicalConfig(secrets: .fingerprint(key: key))))
        }
        let from = oldHash.map { String($0.prefix(12)) } ?? "none"
        return ("configuration changed (config hash \(from) -> \(hash.prefix(12)); earlier configuration not recorded)", [])
    }

    public static func changes(from old: JSONValue, to new: JSONValue) -> [FieldChange] {
        var out: [FieldChange] = []
        walk(old, new, path: "", into: &out)
        return out.sorted { $0.path < $1.path }
    }

    private static func walk(_ old: JSONValue?, _ new: JSONValue?, path: String, into out: inout [FieldChange]) {
        if old == new { return }
        if let o = old?.objectValue, let n = new?.objectValue {
            for key in Set(o.keys).union(n.keys) {
                walk(o[key], n[key], path: path.isEmpty ? key : path + "." + key, into: &out)
            }
            return
        }
        // Empty collections and absence mean the same to the engine: do not report them.
        if isEmpty(old) && isEmpty(new) { return }
        // A native fragment's Env ("K=V" entries, already masked): one change per variable.
        if path.hasSuffix("Env"), let o = envMap(old), let n = envMap(new) {
            for key in Set(o.keys).union(n.keys) where o[key] != n[key] {
                out.append(FieldChange(path: path + "." + key, old: o[key].map { JSONValue.string($0).canonicalText },
                                       new: n[key].map { JSONValue.string($0).canonicalText }))
            }
            return
        }
        out.append(FieldChange(path: path, old: old.map(show), new: new.map(show)))
    }

    private static func isEmpty(_ value: JSONValue?) -> Bool {
        guard let value else { return true }
        if let a = value.arrayValue { return a.isEmpty }
        if let o = value.objectValue { return o.isEmpty }
        return false
    }

    private static func show(_ value: JSONValue) -> String { value.canonicalText }

    /// `["K=V", ...]` as a map; nil when the value is not such a list.
    private static func envMap(_ value: JSONValue?) -> [String: String]? {
        guard let items = value?.arrayValue ?? (value == nil ? [] : nil) else { return nil }
        var out: [String: String] = [:]
        for item in items {
            guard let text = item.stringValue, let equals = text.firstIndex(of: "=") else { return nil }
            out[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return out
    }
}
