/// Identity of one managed resource: which target, which spec, and which of the spec's
/// resources there, in the terms of the target's platform (`ResourceUnit`). A container key
/// cannot lack its replica and a Kubernetes key cannot carry one: the shape says which.
public struct ResourceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var target: TargetName
    /// The spec name (berth.name).
    public var name: SpecName
    public var unit: ResourceUnit

    public init(target: TargetName, name: SpecName, unit: ResourceUnit) {
        self.target = target; self.name = name; self.unit = unit
    }

    /// Docker: replica `replica` (1-based) of a spec's containers.
    public static func container(_ target: TargetName, _ name: SpecName, replica: Int) -> ResourceKey {
        ResourceKey(target: target, name: name, unit: .replica(replica))
    }

    /// Swarm: a spec's one service.
    public static func service(_ target: TargetName, _ name: SpecName) -> ResourceKey {
        ResourceKey(target: target, name: name, unit: .service)
    }

    /// Kubernetes: one of the objects a spec makes (one spec makes several, so the spec name
    /// alone is not enough).
    public static func object(_ target: TargetName, _ name: SpecName, _ object: KubeObjectID) -> ResourceKey {
        ResourceKey(target: target, name: name, unit: .object(object))
    }

    /// What the saved plan's and the journal's "kind" field says: "container", "service", or
    /// the Kubernetes object's kind ("Deployment").
    public var kind: String { unit.kind }
    /// Docker containers only.
    public var replica: Int? { unit.replica }
    /// Kubernetes objects only.
    public var object: KubeObjectID? { unit.object }

    // Order of berth v1's plans: target, kind, name, replica, object. Changing it changes plan text.
    public static func < (a: ResourceKey, b: ResourceKey) -> Bool {
        (a.target, a.kind, a.name, a.replica ?? 0, a.unit.detail) < (b.target, b.kind, b.name, b.replica ?? 0, b.unit.detail)
    }

    // Out of line like `ResourceUnit.kind`: a switch on the unit, called from async code.
    @inline(never)
    public var description: String {
        switch unit {
        case .object(let object): "\(target) \(object) (spec \(name))"
        case .other(let kind, let id) where !id.isEmpty: "\(target) \(kind) \(id) (spec \(name))"
        case .replica(let replica): "\(target) \(kind) \(name) #\(replica)"
        default: "\(target) \(kind) \(name)"
        }
    }
}

/// Which of a spec's resources on a target a key names, per platform.
public enum ResourceUnit: Sendable, Hashable {
    /// Docker Engine: one container, by its 1-based replica number (`berth.replica`).
    case replica(Int)
    /// Docker Engine: every container of the spec at once (what a blocked rollout names:
    /// its failed content is held back for all replicas). Never an action's key.
    case replicas
    /// Swarm: the spec's service.
    case service
    /// Kubernetes: one object.
    case object(KubeObjectID)
    /// Docker: the spec's network, or its volume.
    case network
    case volume
    /// A platform registered elsewhere (a test's, a future one's): its own kind, and its
    /// own identity of the resource within the spec ("" when the spec makes one).
    case other(kind: String, id: String)

    // swiftc 6.3 crashed building release (SIL ownership verifier: "Found outside of lifetime
    // use") once these switches were inlined into `Controller.act`'s async body; debug builds
    // and tests did not show it. Kept out of line until the compiler is fixed.
    @inline(never)
    public var kind: String {
        switch self {
        case .replica, .replicas: "container"
        case .service: "service"
        case .object(let object): object.kind
        case .network: "network"
        case .volume: "volume"
        case .other(let kind, _): kind
        }
    }

    // See `kind`: out of line for swiftc 6.3's release build.
    @inline(never)
    public var replica: Int? {
        if case .replica(let replica) = self { return replica }
        return nil
    }

    // See `kind`: out of line for swiftc 6.3's release build.
    @inline(never)
    public var object: KubeObjectID? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// What tells two units of one kind apart besides the replica: the object, the other id.
    @inline(never)
    var detail: String {
        switch self {
        case .object(let object): object.description
        case .other(_, let id): id
        default: ""
        }
    }
}

extension ResourceKey {
    /// Reads a key back from a saved plan's fields (`kind`, `replica`, `object`, `id`), the
    /// only place keys exist as text. nil when the fields do not make one shape: a container
    /// without its replica, an object that does not parse, a replica on anything else.
    public init?(saved target: TargetName, kind: String, name: SpecName, replica: Int?, object: String?, id: String? = nil) {
        let unit: ResourceUnit
        if let object {
            guard replica == nil, id == nil, let parsed = KubeObjectID(parsing: object), parsed.kind == kind else { return nil }
            unit = .object(parsed)
        } else if kind == "container" {
            guard let replica, id == nil else { return nil }
            unit = .replica(replica)
        } else {
            guard replica == nil else { return nil }
            switch (kind, id) {
            case ("service", nil): unit = .service
            case ("network", nil): unit = .network
            case ("volume", nil): unit = .volume
            default: unit = .other(kind: kind, id: id ?? "")
            }
        }
        self.init(target: target, name: name, unit: unit)
    }

    /// The saved plan's `id` field: a registered platform's own identity, when it has one.
    public var otherID: String? {
        if case .other(_, let id) = unit, !id.isEmpty { return id }
        return nil
    }
}
