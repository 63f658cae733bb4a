import BerthJSON
import Foundation

// The bridge to Foundation's JSON objects, for tests that compare berth's JSON with
// JSONSerialization's; berth itself links no Foundation (README "Installing a release").
extension JSONValue {
    /// Bridges from Foundation: what `JSONSerialization` produces (NSNumber, Bool, String,
    /// Array, Dictionary, NSNull) and plain Swift `Int`/`Double`/`Bool`/`String`. Returns
    /// nil for anything else, including non-finite numbers, which JSON cannot express.
    public init?(foundation: Any) {
        // A native Bool must be caught before the NSNumber cast, which would accept it
        // as the number 1 on some platforms.
        if type(of: foundation) == Bool.self, let flag = foundation as? Bool {
            self = .bool(flag)
        } else if foundation is NSNull {
            self = .null
        } else if let text = foundation as? String {
            self = .string(text)
        } else if let number = foundation as? NSNumber {
            guard let value = JSONValue(number: number) else { return nil }
            self = value
        } else if let elements = foundation as? [Any] {
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                guard let value = JSONValue(foundation: element) else { return nil }
                values.append(value)
            }
            self = .array(values)
        } else if let object = foundation as? [String: Any] {
            var values: [String: JSONValue] = [:]
            values.reserveCapacity(object.count)
            for (key, element) in object {
                guard let value = JSONValue(foundation: element) else { return nil }
                values[key] = value
            }
            self = .object(values)
        } else {
            return nil
        }
    }

    private init?(number: NSNumber) {
        // Booleans from JSONSerialization are the shared boolean NSNumber class on every
        // platform; comparing classes avoids mistaking the integers 0 and 1 for them.
        if ObjectIdentifier(type(of: number)) == ObjectIdentifier(type(of: NSNumber(value: true))) {
            self = .bool(number.boolValue)
            return
        }
        switch String(cString: number.objCType) {
        case "f", "d":
            let double = number.doubleValue
            guard double.isFinite else { return nil }
            self = .number(String(double))
        case "Q", "L", "I", "S", "C":
            self = .number(String(number.uint64Value))
        default:
            self = .number(String(number.int64Value))
        }
    }

    /// The Foundation form, as `JSONSerialization.data(withJSONObject:)` accepts it.
    /// Numbers become `Int` when they fit, else `Double`; a literal beyond `Double`'s
    /// range is clamped to the largest finite `Double`, because `JSONSerialization`
    /// cannot write infinity.
    public var foundationObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let text):
            if let integer = Int(text) { return integer }
            let double = Double(text) ?? 0
            return double.isFinite ? double : (double < 0 ? -Double.greatestFiniteMagnitude : Double.greatestFiniteMagnitude)
        case .string(let text): return text
        case .array(let elements): return elements.map(\.foundationObject)
        case .object(let object): return object.mapValues(\.foundationObject)
        }
    }
}
