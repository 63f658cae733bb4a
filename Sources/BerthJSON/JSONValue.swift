import FoundationEssentials

/// A plain JSON value. Numbers keep their literal text so nothing is lost or rounded:
/// a 64-bit id or a price like `0.10` comes back out exactly as it went in.
///
/// Equality is structural and literal: `.number("1")` and `.number("1.0")` differ,
/// because they serialize differently and so would hash differently.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number's literal text, which must follow the JSON number grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member with this key; nil unless this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// The text if this is a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The flag if this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The members if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The number as an `Int` when it is a whole number that fits; nil otherwise
    /// (fractions, values beyond `Int`, non-numbers). `1e3` and `2.0` count as whole.
    public var intValue: Int? {
        guard case .number(let text) = self else { return nil }
        if let exact = Int(text) { return exact }
        // Only trust the Double detour where every integer is exactly representable;
        // beyond 2^53 it would silently round to a neighbour.
        guard let double = Double(text), double.rounded() == double,
              abs(double) <= 9_007_199_254_740_992 else { return nil }
        return Int(double)
    }

    /// The number as a `Double` (possibly rounded, infinite for absurd exponents).
    public var doubleValue: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    /// The JSON name of the value's type, matching `JSONNode.typeName`.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Deep merge: objects merge recursively key by key; any other value in `overlay`
    /// (including `null` and arrays) replaces the base value. Arrays are replaced, not
    /// concatenated, so an overlay can shorten a list.
    public func merging(_ overlay: JSONValue) -> JSONValue {
        guard case .object(var base) = self, case .object(let top) = overlay else {
            return overlay
        }
        for (key, value) in top {
            if let existing = base[key] {
                base[key] = existing.merging(value)
            } else {
                base[key] = value
            }
        }
        return .object(base)
    }

    /// The UTF-8 bytes of `serialized()`, ready to send or write.
    public var data: Data { Data(serialized().utf8) }
}
