/// Fields berth applied before and no longer sends, which its next server-side apply removes
/// from the object (the server drops a field its applier stopped sending unless another
/// manager holds it). They are read from the object's own record of what berth owns, its
/// `managedFields` entry for manager `berth`, operation `Apply`, so a removed env entry or
/// ports list is shown as removed, as added and changed fields are.
enum KubeRemovedFields {
    static let manager = "berth"

    static func changes(desired: JSONValue, observed: JSONValue?) -> [FieldChange] {
        guard let observed, let owned = berthFields(observed) else { return [] }
        var out: [FieldChange] = []
        let secretKind = desired["kind"]?.stringValue == "Secret"
        // Env variables that were sealed when berth applied the object: secrets whatever their names.
        let sealed = Set((observed["metadata"]?["annotations"]?[Labels.sealedEnv]?.stringValue ?? "").split(separator: ",").map(String.init))
        walk(owned, observed: observed, desired: desired, path: "", secretKind: secretKind, secret: false, sealed: sealed, into: &out)
        return out.sorted { $0.path < $1.path }
    }

    static func berthFields(_ object: JSONValue) -> JSONValue? {
        let entries = object["metadata"]?["managedFields"]?.arrayValue ?? []
        return entries.first {
            $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == "Apply" && $0["subresource"] == nil
        }?["fieldsV1"]
    }

    /// `fields` is a fieldsV1 node: "f:name" a member, "k:{...}" a list element by its keys,
    /// "." the node itself; others ("v:", "i:") are left alone. `secret`: values here are secrets.
    private static func walk(_ fields: JSONValue, observed: JSONValue?, desired: JSONValue?, path: String, secretKind: Bool,
                             secret: Bool, sealed: Set<String>, into out: inout [FieldChange]) {
        for (key, sub) in (fields.objectValue ?? [:]) {
            if key.hasPrefix("f:") {
                let name = String(key.dropFirst(2))
                // A field the server does not keep (a Secret's stringData) cannot be removed from it.
                guard let held = observed?[name] else { continue }
                let here = join(path, name)
                let hidden = secret || (secretKind && path.isEmpty && (name == "data" || name == "stringData"))
                guard let wanted = desired?[name] else { out.append(removed(here, held, secret: hidden)); continue }
                walk(sub, observed: held, desired: wanted, path: here, secretKind: secretKind, secret: hidden, sealed: sealed, into: &out)
            } else if key.hasPrefix("k:"), let keys = try? JSONParser.parse(String(key.dropFirst(2))).value.objectValue {
                guard let held = element(observed, keys: keys, exact: true) else { continue }
                let label = keys["name"]?.stringValue
                    ?? keys.keys.sorted().map { "\($0)=\(keys[$0]!.stringValue ?? keys[$0]!.canonicalText)" }.joined(separator: ",")
                let here = path + "[\(label)]"
                // An env entry under a secret-looking name holds a secret, as KubeDrift judges it.
                let hidden = secret || (path.hasSuffix(".env") && keys["name"]?.stringValue.map { Secrets.isSecret(key: $0) || sealed.contains($0) } == true)
                guard let wanted = element(desired, keys: keys, exact: false) else { out.append(removed(here, held, secret: hidden)); continue }
                walk(sub, observed: held, desired: wanted, path: here, secretKind: secretKind, secret: hidden, sealed: sealed, into: &out)
            }
        }
    }

    /// The list element whose key fields match. What berth sends may leave out a key the
    /// server defaulted (a port's protocol "TCP"): then the keys it does send must match.
    private static func element(_ list: JSONValue?, keys: [String: JSONValue], exact: Bool) -> JSONValue? {
        (list?.arrayValue ?? []).first { item in
            var matched = 0
            for (key, value) in keys {
                guard let mine = item[key] else { if exact { return false }; continue }
                if mine != value && mine.stringValue != value.stringValue && mine.canonicalText != (value.stringValue ?? value.canonicalText) { return false }
                matched += 1
            }
            return matched > 0
        }
    }

    private static func removed(_ path: String, _ old: JSONValue, secret: Bool) -> FieldChange {
        FieldChange(path: path, old: secret ? "\"\(Secrets.fingerprint(old.canonicalText))\"" : old.canonicalText, new: nil)
    }

    private static func join(_ path: String, _ key: String) -> String {
        if path.isEmpty { return key }
        return key.contains(".") || key.contains("/") ? path + "[\"\(key)\"]" : path + "." + key
    }
}
