/// Docker Engine only: a native create-container body merged over what the portable fields make.
public struct DockerPayload: SpecPayload, Equatable {
    public var body: JSONValue?
    public init(body: JSONValue? = nil) { self.body = body }
    public var isEmpty: Bool { body == nil }
    public func canonical(into object: inout [String: JSONValue], mask: SecretMask?) {
        if let body { object["docker"] = mask.map { $0.masking(body, envAt: ["Env"]) } ?? body }
    }
}

/// Swarm only: the service's mode, how a change rolls out, and a native ServiceSpec fragment.
public struct SwarmPayload: SpecPayload, Equatable {
    public var mode: ServiceMode?
    public var update: UpdatePolicy?
    public var fragment: JSONValue?
    public init(mode: ServiceMode? = nil, update: UpdatePolicy? = nil, fragment: JSONValue? = nil) {
        self.mode = mode; self.update = update; self.fragment = fragment
    }
    public var isEmpty: Bool { mode == nil && update == nil && fragment == nil }
    public func canonical(into object: inout [String: JSONValue], mask: SecretMask?) {
        if let mode { object["mode"] = .string(mode.rawValue) }
        if let update { object["update"] = update.json }
        if let fragment { object["swarm"] = mask.map { $0.masking(fragment, envAt: ["TaskTemplate", "ContainerSpec", "Env"]) } ?? fragment }
    }
}

extension Spec {
    /// Native Docker Engine create-container body merged over what the portable fields produce.
    public var docker: JSONValue? {
        get { payloads[DockerPayload.self, .docker]?.body }
        set { payloads[DockerPayload.self, .docker] = DockerPayload(body: newValue) }
    }

    private var swarmPayload: SwarmPayload {
        get { payloads[SwarmPayload.self, .swarm] ?? SwarmPayload() }
        set { payloads[SwarmPayload.self, .swarm] = newValue }
    }
    /// Swarm only: replicated (default) or global.
    public var mode: ServiceMode? { get { swarmPayload.mode } set { swarmPayload.mode = newValue } }
    /// Swarm only: how a changed service rolls out.
    public var update: UpdatePolicy? { get { swarmPayload.update } set { swarmPayload.update = newValue } }
    /// Swarm only: a native ServiceSpec fragment merged over what the portable fields produce.
    public var swarm: JSONValue? { get { swarmPayload.fragment } set { swarmPayload.fragment = newValue } }
}
