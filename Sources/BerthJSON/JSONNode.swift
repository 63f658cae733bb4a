/// A parsed value with the position where it starts: the first character of the value;
/// for a string, its opening quote.
///
/// Validation walks nodes rather than `JSONValue`s so that every complaint can name the
/// line and column of the value it is about.
public struct JSONNode: Sendable {
    /// Where the value starts in the file.
    public var position: JSONPosition
    /// The value, with its children still carrying positions.
    public var kind: Kind

    /// A node's value. Objects keep their members in document order, duplicates
    /// included when the parser was told to allow them.
    public indirect enum Kind: Sendable {
        case null
        case bool(Bool)
        /// The number's literal text exactly as written, e.g. `-1.50e+3`.
        case number(String)
        case string(String)
        case array([JSONNode])
        case object([JSONMember])
    }

    /// Creates a node; the parser is the usual source.
    public init(position: JSONPosition, kind: Kind) {
        self.position = position
        self.kind = kind
    }

    /// The value with positions dropped. If an object has a key twice (only possible
    /// when duplicates were allowed), the later member wins, as in most JSON readers.
    public var value: JSONValue {
        switch kind {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .number(let text): return .number(text)
        case .string(let text): return .string(text)
        case .array(let elements): return .array(elements.map(\.value))
        case .object(let members):
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(members.count)
            for member in members {
                object[member.key] = member.value.value
            }
            return .object(object)
        }
    }

    /// The JSON name of the value's type, for messages like "expected a string, got a
    /// number": "null", "boolean", "number", "string", "array" or "object".
    public var typeName: String {
        switch kind {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The members if this is an object, in document order.
    public var members: [JSONMember]? {
        if case .object(let members) = kind { return members }
        return nil
    }

    /// The elements if this is an array.
    public var elements: [JSONNode]? {
        if case .array(let elements) = kind { return elements }
        return nil
    }

    /// The last member with this key, if this is an object that has one. Last, to agree
    /// with `value` when duplicates were allowed.
    public func member(_ key: String) -> JSONMember? {
        guard case .object(let members) = kind else { return nil }
        return members.last { $0.key == key }
    }

    /// The value of the member with this key, if this is an object that has one.
    public subscript(key: String) -> JSONNode? {
        member(key)?.value
    }

    /// The text if this is a string.
    public var stringValue: String? {
        if case .string(let text) = kind { return text }
        return nil
    }
}

/// One `"key": value` pair of an object, with the position of the key's opening quote,
/// so that "unknown key" errors point at the key rather than its value.
public struct JSONMember: Sendable {
    /// The key, unescaped.
    public var key: String
    /// Where the key's opening quote is.
    public var keyPosition: JSONPosition
    /// The member's value.
    public var value: JSONNode

    /// Creates a member; the parser is the usual source.
    public init(key: String, keyPosition: JSONPosition, value: JSONNode) {
        self.key = key
        self.keyPosition = keyPosition
        self.value = value
    }
}
