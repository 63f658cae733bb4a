import BerthJSON

/// The type of one value in a native fragment (`docker`, `swarm`), as the Engine API (1.41)
/// defines it. The schema tables (DockerSchema, SwarmSchema) are made of these, so that what
/// berth checks reads as a table rather than as code.
public indirect enum NativeType: Sendable {
    case string, bool, integer
    /// Any JSON number (a ratio such as UpdateConfig.MaxFailureRatio).
    case number
    /// An integer no lower than the bound: -1 for "unlimited", 0 for counts.
    case atLeast(Int)
    /// An integer in a closed range the engine (or the kernel under it) enforces.
    case range(Int, Int)
    /// A size in bytes: an integer >= 0. A string such as "32m" is refused with its value in bytes.
    case bytes
    /// A duration in nanoseconds: an integer >= 0. A string such as "10s" is refused with its value.
    case nanoseconds
    /// A string the engine only knows from a fixed list; `what` names it in the message.
    case oneOf(what: String, [String])
    /// A string, or an array of strings (Cmd, Entrypoint).
    case stringOrStrings
    /// An object with known keys; others are refused with "did you mean". `name` is the
    /// object's name in messages ("unknown HostConfig field").
    case object(String, [String: NativeType])
    case arrayOf(NativeType)
    /// An object whose keys are free (a network name, a sysctl) and whose values have a type.
    case mapOf(NativeType)
    /// Labels: strings by string, berth's own `berth.*` refused.
    case labels
    /// Passed as it is: a part of the API berth does not describe (plugin and driver options).
    case anything
    /// A key the fragment may not set, with the reason and what to do instead.
    case refused(String)

    public static let strings = NativeType.arrayOf(.string)
    public static let stringMap = NativeType.mapOf(.string)

    /// "an integer >= 0", "an array of strings": what the message says was expected.
    var expectation: String {
        switch self {
        case .string: "a string"
        case .bool: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .atLeast(let low): "an integer >= \(low)"
        case .range(let low, let high): "an integer from \(low) to \(high)"
        case .bytes: "a size in bytes (an integer >= 0)"
        case .nanoseconds: "a duration in nanoseconds (an integer >= 0)"
        case .oneOf: "a string"
        case .stringOrStrings: "a string or an array of strings"
        case .object(let name, _): name.isEmpty ? "an object" : "a \(name) object"
        case .arrayOf(.string): "an array of strings"
        case .arrayOf(.object(let name, _)) where !name.isEmpty: "an array of \(name) objects"
        case .arrayOf: "an array"
        case .mapOf(.string), .labels: "an object of strings"
        case .mapOf: "an object"
        case .anything, .refused: "any value"
        }
    }
}

/// "32m" -> 33554432, "1g" -> 1073741824: the number a size given as text means, so the
/// message can say what to write instead.
enum ByteSize {
    static func bytes(_ text: String) -> Int64? {
        let lower = text.lowercased()
        let units: [(String, Int64)] = [("kb", 1 << 10), ("mb", 1 << 20), ("gb", 1 << 30), ("k", 1 << 10), ("m", 1 << 20), ("g", 1 << 30), ("b", 1)]
        for (suffix, scale) in units where lower.hasSuffix(suffix) {
            guard let value = Int64(lower.dropLast(suffix.count)), value >= 0, value <= Int64.max / scale else { return nil }
            return value * scale
        }
        return Int64(lower).flatMap { $0 >= 0 ? $0 : nil }
    }
}
