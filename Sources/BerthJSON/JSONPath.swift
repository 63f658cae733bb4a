/// A path inside a document: `$`, `$.name`, `$.env.DB_URL`, `$[2].ports[0]`.
///
/// Keys that are not plain identifiers (`[A-Za-z_][A-Za-z0-9_-]*`) are written in
/// brackets as JSON strings, `$["a.b"]`, so every path reads back unambiguously: a key
/// containing a dot can never be mistaken for two nested keys.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step down into a document.
    public enum Component: Sendable, Hashable {
        /// A member of an object.
        case key(String)
        /// An element of an array, 0-based.
        case index(Int)
    }

    /// The steps from the root, outermost first.
    public private(set) var components: [Component]

    /// Creates a path from its steps; no steps is the root.
    public init(components: [Component] = []) {
        self.components = components
    }

    /// The document itself, written `$`.
    public static let root = JSONPath()

    /// Whether this is the root path.
    public var isRoot: Bool { components.isEmpty }

    /// This path extended by an object member.
    public func appending(key: String) -> JSONPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    /// This path extended by an array element.
    public func appending(index: Int) -> JSONPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
    }

    /// The path one step up, or nil for the root.
    public var parent: JSONPath? {
        guard !components.isEmpty else { return nil }
        return JSONPath(components: Array(components.dropLast()))
    }

    /// The path in `$.a[0]["b.c"]` notation.
    public var description: String {
        var out: [UInt8] = [UInt8(ascii: "$")]
        for component in components {
            switch component {
            case .key(let key) where JSONPath.isIdentifier(key) && key.utf8.count <= JSONPath.shownKeyBytes:
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: key.utf8)
            case .key(let key):
                out.append(UInt8(ascii: "["))
                JSONWriter.appendQuoted(JSONPath.abbreviated(key), to: &out)
                out.append(UInt8(ascii: "]"))
            case .index(let index):
                out.append(UInt8(ascii: "["))
                out.append(contentsOf: String(index).utf8)
                out.append(UInt8(ascii: "]"))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Keys longer than this many UTF-8 bytes are shown cut, so that an error about a key of a
    /// million characters is still one readable line; its line:column says where it is.
    public static let shownKeyBytes = 64

    /// `key`, or its first `shownKeyBytes` bytes (whole characters) and "…" with the full size.
    public static func abbreviated(_ key: String) -> String {
        guard key.utf8.count > shownKeyBytes else { return key }
        let head = Array(key.utf8.prefix(shownKeyBytes + 1))
        var cut = shownKeyBytes
        // Back up to the start of a character: UTF-8 continuation bytes are 10xxxxxx.
        while cut > 0 && head[cut] & 0xC0 == 0x80 { cut -= 1 }
        return String(decoding: head[..<cut], as: UTF8.self) + "… (\(key.utf8.count) bytes)"
    }

    /// ASCII only on purpose: a key like `ключ` is fine JSON but in dotted form would
    /// depend on the reader's idea of "letter", so it gets brackets.
    static func isIdentifier(_ key: String) -> Bool {
        var first = true
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "_"):
                break
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                if first { return false }
            default:
                return false
            }
            first = false
        }
        return !first
    }
}
