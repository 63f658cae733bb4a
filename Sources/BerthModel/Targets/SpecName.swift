/// The name a spec file gives a workload (`"name": "web"`), which berth writes as the
/// `berth.name` label of everything the spec makes. Typed so that it is never mistaken for
/// a target, an engine's own container name ("main-web-1") or a Kubernetes object's name:
/// each of those is a different string, and confusing them is how the wrong thing is touched.
public struct SpecName: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public init(stringInterpolation: DefaultStringInterpolation) { rawValue = String(stringInterpolation: stringInterpolation) }
    public var description: String { rawValue }
    public static func < (a: SpecName, b: SpecName) -> Bool { a.rawValue < b.rawValue }

    /// A plain JSON string, as in spec files and labels: never `{"rawValue": …}`.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

extension TargetName {
    /// "docker/web": the one text that names a spec on a target, as state files (held
    /// deletions, rollout waits, saved plans) and status write it.
    public func qualifying(_ name: SpecName) -> String { rawValue + "/" + name.rawValue }
}
