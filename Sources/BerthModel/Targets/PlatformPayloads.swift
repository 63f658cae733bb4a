/// What a spec says for one platform only (a native Docker body, Swarm's mode and update
/// policy, Kubernetes' namespace and manifests). The spec itself is the portable core plus
/// one payload per platform; each platform's file adds the accessors for its own payload, so
/// the core type knows no platform's fields.
public protocol SpecPayload: Sendable {
    /// Nothing said: the payload is dropped, so a spec without it equals one never given it.
    var isEmpty: Bool { get }
    func isEqual(to other: any SpecPayload) -> Bool
    /// Adds what the payload says to the canonical configuration (the config hash's input),
    /// secret values masked when `mask` is given.
    func canonical(into object: inout [String: JSONValue], mask: SecretMask?)
}

extension SpecPayload where Self: Equatable {
    public func isEqual(to other: any SpecPayload) -> Bool { (other as? Self) == self }
}

/// A spec's payloads, by platform.
public struct PlatformPayloads: Sendable, Equatable {
    private var byPlatform: [PlatformID: any SpecPayload] = [:]

    public init() {}

    public subscript<Payload: SpecPayload>(_ type: Payload.Type, _ platform: PlatformID) -> Payload? {
        get { byPlatform[platform] as? Payload }
        set { byPlatform[platform] = newValue.flatMap { $0.isEmpty ? nil : $0 } }
    }

    /// In platform order, so the canonical configuration never depends on insertion order.
    public var all: [any SpecPayload] { byPlatform.keys.sorted().map { byPlatform[$0]! } }

    public static func == (a: PlatformPayloads, b: PlatformPayloads) -> Bool {
        a.byPlatform.count == b.byPlatform.count
            && a.byPlatform.allSatisfy { key, value in b.byPlatform[key].map(value.isEqual(to:)) ?? false }
    }
}
