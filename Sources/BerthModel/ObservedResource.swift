/// What an adapter saw of one resource carrying berth's owner label, parsed once into
/// typed fields so the planner never reads engine objects.
public struct ObservedResource: Sendable, Equatable {
    public var id: String
    /// The target it was observed on, and the platform serving it.
    public var target: TargetName
    public var platform: PlatformID
    public var kind: String
    /// berth.name; nil when the label is missing or not a valid name (then the planner
    /// treats the resource as foreign, never as its own).
    public var name: SpecName?
    public var replica: Int?
    /// The engine's own name for it, e.g. "main-web-1".
    public var engineName: String
    public var configHash: String?
    public var state: RunState
    /// The engine's own description, where drift is judged on it (a Swarm ServiceSpec).
    public var native: JSONValue?
    /// Running instances, where the engine schedules them (Swarm tasks); nil otherwise.
    public var running: Int?
    /// A container that is not running: how its last run ended (the engine's State.ExitCode and
    /// State.FinishedAt), for status to show a crash loop's cause.
    public var exit: ExitInfo?
    /// Swarm services: the update status, what berth last sent, the desired image's identity.
    public var swarm: SwarmRollout?
    /// Containers: the resources and restart policy the engine reports now (inspect's
    /// HostConfig), compared with the spec's, since `docker update` leaves the labels as they were.
    public var settings: ContainerSettings?
    /// Containers: the image ID the container runs, and the ID its spec's image reference
    /// names on the engine now (nil when unknown or the image is gone): they differ after a
    /// `docker tag`, a pull of a moving tag, or a re-import under the same tag.
    public var imageID: String?
    public var wantedImageID: String?
    /// Docker: false when the container carries `berth.prune=false`: released, never deleted,
    /// when its spec is removed.
    public var prune = true
    /// Docker containers with a health check: the engine's State.Health.Status ("starting",
    /// "healthy", "unhealthy"), read by the inspect of current containers.
    public var health: String?
    /// Docker containers: the named volumes they mount, from the engine's container list
    /// (a volume berth may prune is deleted only once no container uses it).
    public var mountedVolumes: [String] = []
    /// Docker volumes (kind `volume`): true for one of a name a spec uses that berth did not
    /// make for this owner and target. It is used as it is and never deleted.
    public var unowned = false
    /// Docker containers: the networks it is on (the list's NetworkSettings.Networks), by
    /// ID, or by engine name for a container never started; nil when not known. Networks berth made are observed as
    /// resources of kind `network` (see `NetworkNames`), planned apart from the spec's.
    public var networks: [String]?

    /// The kind of a Docker volume: observed by name (`name` is the volume's, not a spec's).
    public static let volumeKind = "volume"
    public var isVolume: Bool { kind == ObservedResource.volumeKind }

    public init(id: String, target: TargetName = .docker, platform: PlatformID? = nil, kind: String = "container", name: SpecName?, replica: Int?,
                engineName: String, configHash: String?, state: RunState, native: JSONValue? = nil, running: Int? = nil,
                swarm: SwarmRollout? = nil) {
        self.id = id; self.target = target; self.platform = platform ?? PlatformID.implicit(target) ?? .docker; self.kind = kind; self.name = name; self.replica = replica
        self.engineName = engineName; self.configHash = configHash; self.state = state
        self.native = native; self.running = running; self.swarm = swarm
    }

    public struct ExitInfo: Sendable, Equatable {
        public var code: Int
        public var finishedAt: String
        public init(code: Int, finishedAt: String) { self.code = code; self.finishedAt = finishedAt }
    }

    /// Carries the labels that tie it to a spec (and, for containers, to a replica).
    public var isIdentified: Bool { name != nil && (kind != "container" || replica != nil) }
}

/// Docker's container states, reduced to what the planner acts on.
public enum RunState: Sendable, Equatable, CustomStringConvertible {
    /// running, restarting, paused: left alone (a pause is somebody's intent).
    case running
    /// created, exited: start it again.
    case stopped(String)
    /// dead: cannot be started; replace it.
    case dead
    /// removing: the engine is already deleting it; wait for the next pass.
    case removing

    public init(docker state: String) {
        switch state {
        case "running", "restarting", "paused": self = .running
        case "dead": self = .dead
        case "removing": self = .removing
        default: self = .stopped(state)
        }
    }

    public var description: String {
        switch self {
        case .running: "running"
        case .stopped(let s): s
        case .dead: "dead"
        case .removing: "removing"
        }
    }
}
