import BerthJSON
import BerthModel

/// Reads typed fields out of one object of a kubeconfig file, naming the file and the
/// JSON path of anything with the wrong type: `FILE: users[0].user.token: expected a string`.
///
/// kubectl decodes kubeconfig YAML through JSON into Go structs, so a number where a
/// string belongs is an error there too; unknown fields are ignored, as kubectl does.
/// A `null` value counts as absent, which is how an empty `token:` line reads.
struct KubeconfigFields {
    /// The file, for error messages.
    let file: String
    /// Where the object sits in the file, e.g. "users[0].user".
    let path: String
    let members: [String: JSONValue]

    /// Wraps `value`, insisting that it is a mapping (or null, meaning empty).
    init(_ value: JSONValue?, file: String, path: String) throws(BerthError) {
        self.file = file
        self.path = path
        switch value {
        case nil, .null?: members = [:]
        case .object(let object)?: members = object
        case let other?: throw KubeconfigFields.typeError(file: file, path: path, expected: "a mapping", got: other)
        }
    }

    /// The one-line type error every field reader throws.
    static func typeError(file: String, path: String, expected: String, got: JSONValue) -> BerthError {
        let got = KubeconfigFields.describe(got)
        if path.isEmpty { return BerthError(.usage, "\(file): expected \(expected) at the top level, got \(got)") }
        return BerthError(.usage, "\(file): \(path): expected \(expected), got \(got)")
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object: return "a mapping"
        case .array: return "a sequence"
        // Values are never quoted back: the field may hold a secret.
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .null: return "null"
        }
    }

    /// The JSON path of member `key`, for errors and for nested readers.
    func path(of key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the member is there at all (and not null): how unsupported fields are noticed.
    func has(_ key: String) -> Bool {
        if let value = members[key], value != .null { return true }
        return false
    }

    /// A string member; nil when absent, null or empty (kubectl treats "" as unset).
    func string(_ key: String) throws(BerthError) -> String? {
        switch members[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        case let other?: throw KubeconfigFields.typeError(file: file, path: path(of: key), expected: "a string", got: other)
        }
    }

    /// A boolean member; false when absent.
    func bool(_ key: String) throws(BerthError) -> Bool {
        switch members[key] {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        case let other?: throw KubeconfigFields.typeError(file: file, path: path(of: key), expected: "true or false", got: other)
        }
    }

    /// A nested mapping member, as a reader of its own.
    func object(_ key: String) throws(BerthError) -> KubeconfigFields {
        try KubeconfigFields(members[key], file: file, path: path(of: key))
    }

    /// A sequence of mappings, each as a reader; empty when absent.
    func objects(_ key: String) throws(BerthError) -> [KubeconfigFields] {
        switch members[key] {
        case nil, .null?: return []
        case .array(let elements)?:
            var readers: [KubeconfigFields] = []
            for (index, element) in elements.enumerated() {
                readers.append(try KubeconfigFields(element, file: file, path: "\(path(of: key))[\(index)]"))
            }
            return readers
        case let other?: throw KubeconfigFields.typeError(file: file, path: path(of: key), expected: "a sequence", got: other)
        }
    }

    /// The `name` every cluster, user and context entry must have.
    func name() throws(BerthError) -> String {
        guard let name = try string("name") else { throw BerthError(.usage, "\(file): \(path(of: "name")): missing; every entry needs a name") }
        return name
    }
}
