/// What differs between the object berth would apply and the one the cluster holds,
/// judged only on the paths berth sends: fields the server fills in (defaults, status,
/// uid, managedFields...) and fields other managers own are not drift.
///
/// Lists of objects are compared element by element, matched by `name` where every
/// element has one (containers, env, ports), else by position; elements only the server
/// has are left to it. Secret values are shown as fingerprints, never as themselves.
public enum KubeDrift {
    /// Metadata the server owns: present in what it returns, never in what berth applies.
    static let serverMetadata: Set<String> = [
        "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp",
    ]

    /// The differences, sorted by path; empty when the cluster holds what berth would apply.
    public static func changes(desired: JSONValue, observed: JSONValue?, mask: SecretMask = SecretMask()) -> [FieldChange] {
        var out: [FieldChange] = []
        let isSecret = desired["kind"]?.stringValue == "Secret"
        for (key, value) in desired.objectValue ?? [:] {
            switch key {
            // Identity, not content: an older apiVersion of the same object is that object.
            case "status", "apiVersion", "kind": continue
            // The server turns stringData into data and never returns it: what it holds is
            // judged by the data value it made, so a value changed by hand in data shows.
            case "stringData" where isSecret:
                for (name, item) in value.objectValue ?? [:] {
                    let held = observed?["data"]?[name]
                    guard held?.stringValue != Base64.encode(item.stringValue ?? item.canonicalText) else { continue }
                    out.append(change(join("stringData", name), held, item, secret: true, mask: mask))
                }
            case "metadata":
                for (field, item) in value.objectValue ?? [:] where !serverMetadata.contains(field) {
                    var wanted = item
                    if field == "annotations" { wanted = .object((item.objectValue ?? [:]).filter { $0.key != Labels.configHash }) }
                    walk(wanted, observed?["metadata"]?[field], path: "metadata." + field, key: field, secret: false, mask: mask, into: &out)
                }
            default:
                walk(value, observed?[key], path: key, key: key, secret: isSecret && key == "data", mask: mask, into: &out)
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Objects whose members are resource quantities, which the server rewrites in its own
    /// canonical form: container `resources.limits`/`requests`, a claim's `resources.requests`,
    /// a ResourceQuota's `hard`, a LimitRange's bounds. `sizeLimit` (emptyDir) is one too.
    static let quantityMaps: Set<String> = ["limits", "requests", "hard", "min", "max", "default", "defaultRequest"]

    /// `key` is the member name the value sits under ("" for a list element); `quantity` says
    /// the value is a resource quantity.
    private static func walk(_ desired: JSONValue, _ observed: JSONValue?, path: String, key: String, secret: Bool,
                             quantity: Bool = false, mask: SecretMask, into out: inout [FieldChange]) {
        if let object = desired.objectValue {
            let other = observed?.objectValue
            if other == nil && observed != nil {
                out.append(change(path, observed, desired, secret: secret, mask: mask)); return
            }
            for (member, value) in object {
                walk(value, other?[member], path: join(path, member), key: member, secret: secret,
                     quantity: quantityMaps.contains(key) || member == "sizeLimit", mask: mask, into: &out)
            }
            return
        }
        if let wanted = desired.arrayValue, wanted.allSatisfy({ $0.objectValue != nil }), !wanted.isEmpty,
           let found = observed?.arrayValue {
            elements(wanted, found, path: path, secret: secret, mask: mask, into: &out)
            return
        }
        if desired == observed { return }
        // "0.5" applied reads back as "500m", and a number (cpu: 1) as the string "1".
        if quantity, let shown = observed?.stringValue, KubeQuantity.sameValue(quantityText(desired), shown) { return }
        // Absent and empty are the same to the API server.
        if observed == nil, desired == .null || desired.arrayValue?.isEmpty == true || desired.objectValue?.isEmpty == true { return }
        out.append(change(path, observed, desired, secret: secret, mask: mask))
    }

    private static func elements(_ wanted: [JSONValue], _ found: [JSONValue], path: String, secret: Bool, mask: SecretMask, into out: inout [FieldChange]) {
        let names = wanted.compactMap { $0["name"]?.stringValue }
        guard names.count == wanted.count else {
            for (index, element) in wanted.enumerated() {
                let other = index < found.count ? found[index] : nil
                walk(element, other, path: path + "[\(index)]", key: "", secret: secret, mask: mask, into: &out)
            }
            return
        }
        for (element, name) in zip(wanted, names) {
            let other = found.first { $0["name"]?.stringValue == name }
            // An env entry under a secret-looking name: its value is a secret.
            let hidden = secret || (path.hasSuffix(".env") && mask.isSecret(name: name))
            let elementPath = path + "[\(name)]"
            if other == nil { out.append(change(elementPath, nil, element, secret: hidden, mask: mask)); continue }
            walk(element, other, path: elementPath, key: "", secret: hidden, mask: mask, into: &out)
        }
    }

    /// A secret is shown as its fingerprint; any other text with the passwords of URLs in it masked.
    private static func change(_ path: String, _ old: JSONValue?, _ new: JSONValue?, secret: Bool, mask: SecretMask) -> FieldChange {
        func show(_ value: JSONValue?) -> String? {
            value.map {
                if secret { return "\"\(mask.fingerprint($0.canonicalText))\"" }
                return Secrets.maskingURLPasswords($0.canonicalText) { mask.fingerprint($0) } ?? $0.canonicalText
            }
        }
        return FieldChange(path: path, old: show(old), new: show(new))
    }

    private static func quantityText(_ value: JSONValue) -> String { value.stringValue ?? value.canonicalText }

    /// Keys with dots or slashes (label keys) are bracketed so the path reads back.
    private static func join(_ path: String, _ key: String) -> String {
        key.contains(".") || key.contains("/") ? path + "[\"\(key)\"]" : path + "." + key
    }
}

/// Secret values in Kubernetes objects, in the form that may be stored or shown.
enum KubeSecrets {
    /// The object with every Secret `data`/`stringData` value and every env value under a
    /// secret-looking name (in any container list) fingerprinted.
    static func fingerprinted(_ object: JSONValue, mask: SecretMask = SecretMask()) -> JSONValue {
        guard var members = object.objectValue else { return object }
        if object["kind"]?.stringValue == "Secret" {
            for key in ["data", "stringData"] {
                guard let values = members[key]?.objectValue else { continue }
                members[key] = .object(values.mapValues { .string(mask.fingerprint($0.stringValue ?? $0.canonicalText)) })
            }
        }
        return .object(members.mapValues { hidingEnv($0, mask) })
    }

    private static func hidingEnv(_ value: JSONValue, _ mask: SecretMask) -> JSONValue {
        switch value {
        case .object(let members):
            var out = members.mapValues { hidingEnv($0, mask) }
            if let env = members["env"]?.arrayValue {
                out["env"] = .array(env.map { entry in
                    guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { return entry }
                    return entry.merging(.object(["value": .string(mask.value(name: name, value))]))
                })
            }
            return .object(out)
        case .array(let items): return .array(items.map { hidingEnv($0, mask) })
        default: return value
        }
    }
}
