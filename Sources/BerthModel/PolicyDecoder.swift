/// Reads an operator's policy file. A mistake in it is an error naming the file, the JSON
/// path and line:column, like a spec's: a policy that is not understood must not be
/// half-applied.
public enum PolicyDecoder {
    static let fields = ["hostPaths", "buildRoots", "registries", "kubernetes", "allow", "buildContext"]
    static let kubernetesFields = ["namespaces", "kinds"]

    public static func decode(file: String, bytes: [UInt8]) throws(SpecError) -> Policy {
        let root: JSONNode
        do { root = try JSONParser.parse(bytes) } catch {
            throw SpecError(file: file, path: error.path, position: error.position, message: "invalid JSON: \(error.message)")
        }
        var reader = FieldReader(file: file)
        var policy = Policy(file: file)
        guard let members = root.members else {
            throw SpecError(file: file, path: .root, position: root.position, message: "expected a policy object, got \(root.typeName)")
        }
        for member in members {
            let path = JSONPath.root.appending(key: member.key)
            switch member.key {
            case "hostPaths": policy.hostPaths = reader.absolutePaths(member.value, path) ?? []
            case "buildRoots": policy.buildRoots = reader.absolutePaths(member.value, path) ?? []
            case "registries": policy.registries = reader.stringArray(member.value, path)
            case "allow":
                let names = reader.stringArray(member.value, path) ?? []
                for (index, name) in names.enumerated() {
                    if let rule = PolicyRule(rawValue: name), PolicyRule.switchable.contains(rule) {
                        policy.allow.insert(rule)
                    } else {
                        let known = PolicyRule.switchable.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
                        reader.fail(member.value.elements![index], path.appending(index: index), "unknown rule \(quoted(name)); \"allow\" takes \(known)")
                    }
                }
            case "buildContext":
                for item in member.value.members ?? [] {
                    let itemPath = path.appending(key: item.key)
                    guard case .number(let text) = item.value.kind, let n = UInt64(text), n > 0, item.key == "maxFiles" || item.key == "maxBytes" else {
                        reader.fail(item.value, itemPath, "expected \"maxFiles\" or \"maxBytes\" with a whole number above 0")
                        continue
                    }
                    if item.key == "maxFiles" { policy.maxContextFiles = Int(clamping: n) } else { policy.maxContextBytes = n }
                }
                if member.value.members == nil { reader.fail(member.value, path, "expected an object with \"maxFiles\" and \"maxBytes\", got \(member.value.typeName)") }
            case "kubernetes":
                guard let inner = member.value.members else {
                    reader.fail(member.value, path, "expected an object with \"namespaces\" and \"kinds\", got \(member.value.typeName)")
                    continue
                }
                for item in inner {
                    let itemPath = path.appending(key: item.key)
                    switch item.key {
                    case "namespaces": policy.namespaces = reader.stringArray(item.value, itemPath)
                    case "kinds": policy.kinds = reader.stringArray(item.value, itemPath)
                    default: reader.fail(at: item.keyPosition, itemPath, "unknown policy field \"\(JSONPath.abbreviated(item.key))\"; known fields are namespaces, kinds")
                    }
                }
            default:
                let guess = Suggest.closest(to: member.key, in: fields).map { "; did you mean \"\($0)\"?" } ?? "; known fields are " + fields.joined(separator: ", ")
                reader.fail(at: member.keyPosition, path, "unknown policy field \"\(JSONPath.abbreviated(member.key))\"" + guess)
            }
        }
        if let first = reader.errors.first { throw first }
        return policy
    }
}

extension FieldReader {
    /// Absolute, normalised paths without '..' steps: the policy's lists are compared by path steps.
    mutating func absolutePaths(_ node: JSONNode, _ path: JSONPath) -> [String]? {
        guard let items = stringArray(node, path) else { return nil }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard item.hasPrefix("/"), !item.split(separator: "/").contains(".."), !hasControl(item) else {
                fail(node.elements![index], path.appending(index: index), "\(quoted(item)) is not an absolute path without '..' steps")
                continue
            }
            out.append(SpecPaths.normalize(item))
        }
        return out
    }
}
