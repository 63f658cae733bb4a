import BerthJSON

/// Reading and writing the value a `KubeFieldPath` points at inside an object.
extension KubeFieldPath {
    /// The value at this path in `object`; for a list item path, the item.
    func value(in object: JSONValue) -> JSONValue? {
        var current = object
        for component in components {
            switch component {
            case .field(let name):
                guard let next = current[name] else { return nil }
                current = next
            case .key(let key):
                guard let item = current.arrayValue?.first(where: { Self.matches($0, key) }) else { return nil }
                current = item
            }
        }
        return current
    }

    /// `object` with `value` at this path, creating objects and list items on the way.
    /// A list item path only makes sure the item exists.
    func setting(_ value: JSONValue, in object: JSONValue) -> JSONValue {
        Self.set(components[...], value: value, in: object, itemOnly: isItem)
    }

    /// `object` without what this path points at (a list item is removed whole).
    func removing(from object: JSONValue) -> JSONValue {
        Self.remove(components[...], from: object)
    }

    /// Whether this path is `other` or lies below it.
    func isWithin(_ other: KubeFieldPath) -> Bool {
        components.count >= other.components.count && Array(components.prefix(other.components.count)) == other.components
    }

    static func matches(_ element: JSONValue, _ key: [String: JSONValue]) -> Bool {
        guard let members = element.objectValue else { return false }
        return key.allSatisfy { name, wanted in
            members[name] == wanted || (name == "protocol" && members[name] == nil && wanted == .string("TCP"))
        }
    }

    private static func set(_ rest: ArraySlice<Component>, value: JSONValue, in node: JSONValue, itemOnly: Bool) -> JSONValue {
        guard let first = rest.first else { return value }
        let tail = rest.dropFirst()
        switch first {
        case .field(let name):
            var members = node.objectValue ?? [:]
            members[name] = set(tail, value: value, in: members[name] ?? .object([:]), itemOnly: itemOnly)
            return .object(members)
        case .key(let key):
            var elements = node.arrayValue ?? []
            if let index = elements.firstIndex(where: { matches($0, key) }) {
                if tail.isEmpty && itemOnly { return .array(elements) }
                elements[index] = set(tail, value: value, in: elements[index], itemOnly: itemOnly)
            } else {
                elements.append(tail.isEmpty && itemOnly ? .object(key) : set(tail, value: value, in: .object(key), itemOnly: itemOnly))
            }
            return .array(elements)
        }
    }

    private static func remove(_ rest: ArraySlice<Component>, from node: JSONValue) -> JSONValue {
        guard let first = rest.first else { return node }
        let tail = rest.dropFirst()
        switch first {
        case .field(let name):
            guard var members = node.objectValue, let child = members[name] else { return node }
            if tail.isEmpty {
                members[name] = nil
            } else {
                members[name] = remove(tail, from: child)
            }
            return .object(members)
        case .key(let key):
            guard var elements = node.arrayValue, let index = elements.firstIndex(where: { matches($0, key) }) else { return node }
            if tail.isEmpty {
                elements.remove(at: index)
            } else {
                elements[index] = remove(tail, from: elements[index])
            }
            return .array(elements)
        }
    }
}
