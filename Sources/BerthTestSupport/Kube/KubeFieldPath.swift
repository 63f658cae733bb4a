import BerthJSON

/// A path to one field an apply or update sets, at the granularity the test server tracks
/// ownership: object members by name, list items by their key fields (containers by name,
/// ports by port and protocol), anything else (scalars, plain lists, atomic maps) whole.
/// Not a full structured-merge-diff, but enough for the conflicts berth meets.
struct KubeFieldPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    enum Component: Hashable, Sendable {
        case field(String)
        /// A list item, identified by the values of its key fields.
        case key([String: JSONValue])
    }

    var components: [Component]

    init(_ components: [Component] = []) {
        self.components = components
    }

    func appending(_ component: Component) -> KubeFieldPath {
        KubeFieldPath(components + [component])
    }

    /// Whether the path ends at a list item itself (the item's existence, FieldsV1 `"."`).
    var isItem: Bool {
        if case .key = components.last { return true }
        return false
    }

    /// The form conflicts report: `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`.
    var description: String {
        components.map { component in
            switch component {
            case .field(let name): return "." + name
            case .key(let fields):
                let inner = fields.keys.sorted().map { "\($0)=\(fields[$0]!.canonicalText)" }.joined(separator: ",")
                return "[\(inner)]"
            }
        }.joined()
    }

    static func < (a: KubeFieldPath, b: KubeFieldPath) -> Bool { a.fieldsV1Keys.lexicographicallyPrecedes(b.fieldsV1Keys) }

    /// The keys of the path in FieldsV1 form: `f:spec`, `k:{"name":"web"}`.
    var fieldsV1Keys: [String] {
        components.map { component in
            switch component {
            case .field(let name): return "f:" + name
            case .key(let fields): return "k:" + JSONValue.object(fields).canonicalText
            }
        }
    }

    /// Maps that are owned whole, as in the real schemas (label selectors are atomic).
    static let atomicFields: Set<[String]> = [["spec", "selector"]]

    /// Every leaf of `object` that a write sets, with its value. `kind`, `apiVersion`,
    /// `status` and metadata other than labels and annotations are not tracked.
    static func leaves(of object: JSONValue) -> [KubeFieldPath: JSONValue] {
        var result: [KubeFieldPath: JSONValue] = [:]
        guard let members = object.objectValue else { return result }
        for (key, value) in members {
            switch key {
            case "apiVersion", "kind", "status": continue
            case "metadata":
                for tracked in ["labels", "annotations"] {
                    if let map = value[tracked] {
                        collect(map, at: KubeFieldPath([.field("metadata"), .field(tracked)]), names: ["metadata", tracked], into: &result)
                    }
                }
            default:
                collect(value, at: KubeFieldPath([.field(key)]), names: [key], into: &result)
            }
        }
        return result
    }

    /// The leaves of a status, as its controller's managedFields entry (subresource status) lists them.
    static func statusLeaves(_ status: JSONValue) -> Set<KubeFieldPath> {
        var result: [KubeFieldPath: JSONValue] = [:]
        collect(status, at: KubeFieldPath([.field("status")]), names: ["status"], into: &result)
        return Set(result.keys)
    }

    private static func collect(_ value: JSONValue, at path: KubeFieldPath, names: [String],
                                into result: inout [KubeFieldPath: JSONValue]) {
        switch value {
        case .object(let members) where !members.isEmpty && !atomicFields.contains(names):
            for (key, member) in members {
                collect(member, at: path.appending(.field(key)), names: names + [key], into: &result)
            }
        case .array(let elements) where !elements.isEmpty:
            let keys = elements.map { itemKey(list: names.last ?? "", element: $0) }
            guard keys.allSatisfy({ $0 != nil }) else {
                result[path] = value
                return
            }
            for (element, key) in zip(elements, keys) {
                let itemPath = path.appending(.key(key!))
                result[itemPath] = .object(key!)
                for (member, memberValue) in element.objectValue ?? [:] {
                    collect(memberValue, at: itemPath.appending(.field(member)), names: names + ["[]", member], into: &result)
                }
            }
        default:
            result[path] = value
        }
    }

    /// The key fields identifying `element` in the list `list`, or nil if the list is atomic.
    static func itemKey(list: String, element: JSONValue) -> [String: JSONValue]? {
        guard let members = element.objectValue else { return nil }
        let protocolValue = members["protocol"] ?? .string("TCP")
        if list == "ports" {
            if let port = members["containerPort"] { return ["containerPort": port, "protocol": protocolValue] }
            if let port = members["port"] { return ["port": port, "protocol": protocolValue] }
        }
        if list == "conditions", let type = members["type"] { return ["type": type] }
        if let name = members["name"] { return ["name": name] }
        return nil
    }

    /// FieldsV1 of a set of paths: nested `f:`/`k:` keys, `"."` marking list items owned as such.
    static func fieldsV1(_ paths: Set<KubeFieldPath>) -> JSONValue {
        var root: JSONValue = .object([:])
        for path in paths {
            var keys = path.fieldsV1Keys
            if path.isItem { keys.append(".") }
            root = inserting(keys[...], into: root)
        }
        return root
    }

    private static func inserting(_ keys: ArraySlice<String>, into node: JSONValue) -> JSONValue {
        guard let first = keys.first, case .object(var members) = node else { return node }
        members[first] = inserting(keys.dropFirst(), into: members[first] ?? .object([:]))
        return .object(members)
    }
}
