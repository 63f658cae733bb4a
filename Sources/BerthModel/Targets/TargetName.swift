/// The name of one place berth acts on: an implicit target ("docker", "swarm", "kubernetes")
/// or one named in berth.json ("edge-1"). Typed so that a target is never mistaken for the
/// platform that serves it: which code runs is decided by `PlatformID`, never by this name.
public struct TargetName: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: TargetName, b: TargetName) -> Bool { a.rawValue < b.rawValue }

    /// The three targets that exist without a berth.json, as in berth v1: DOCKER_HOST's engine,
    /// that engine's swarm, and the kubeconfig's context. Their names are their platforms'.
    public static let docker: TargetName = "docker"
    public static let swarm: TargetName = "swarm"
    public static let kubernetes: TargetName = "kubernetes"
    public static let implicit: [TargetName] = [.docker, .swarm, .kubernetes]

    /// Implicit targets keep v1's names and labels; named ones add `berth.target` and their
    /// name to what they make, so two targets on one engine never see each other's resources.
    public var isImplicit: Bool { TargetName.implicit.contains(self) }
}

/// Which platform serves a target: the key under which its translator (pure planning) and
/// its adapter (the engine's API) are registered. Open, so that a new platform is one new
/// folder and one registration, and a test can register a platform of its own.
public struct PlatformID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: PlatformID, b: PlatformID) -> Bool { a.rawValue < b.rawValue }

    public static let docker: PlatformID = "docker"
    public static let swarm: PlatformID = "swarm"
    public static let kubernetes: PlatformID = "kubernetes"

    /// The platform of an implicit target; a named target's comes from berth.json.
    public static func implicit(_ target: TargetName) -> PlatformID? {
        switch target {
        case .docker: .docker
        case .swarm: .swarm
        case .kubernetes: .kubernetes
        default: nil
        }
    }
}

/// Which targets share one engine, for what only one engine can hold once (a host port):
/// the implicit `docker` and `swarm` are DOCKER_HOST's engine; a named target is its own.
enum EngineSharing {
    static func engine(of target: TargetName) -> String {
        target == .docker || target == .swarm ? "DOCKER_HOST" : "target " + target.rawValue
    }
}
