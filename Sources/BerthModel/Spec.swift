/// One desired workload, as written in a spec file and validated by `SpecDecoder`.
///
/// Values only: a spec knows where it came from (for error messages) but nothing about engines.
public struct Spec: Sendable, Equatable {
    public var name: SpecName
    /// Where it runs: after a group is fanned out, one target per spec value.
    public var target: TargetName
    /// Which platform serves `target` (so which translator plans it and which fields it takes).
    public var platform: PlatformID
    /// The group the spec's file named, when it was fanned out over one (for display).
    public var group: String?
    /// The image reference, "repo:tag".
    public var image: String
    /// How the image is obtained; a plain string image is pulled when missing.
    public var imageSource: ImageSource
    /// Remove the image when the last container of this spec is deleted.
    public var removeImage: Bool
    public var command: [String]?
    public var env: [String: String]
    public var replicas: Int
    public var ports: [PortMapping]
    public var volumes: [VolumeMount]
    public var labels: [String: String]
    public var restart: RestartPolicy?
    /// What the spec says for one platform only (see `SpecPayload`; the accessors `docker`,
    /// `mode`, `update`, `swarm`, `namespace`, `kubernetes`, `manifests`, `adopt` are each
    /// platform's, in Targets/).
    public var payloads = PlatformPayloads()
    /// Env variables whose values are secrets whatever their names (`secretEnv`): shown and
    /// stored only as fingerprints, in `env`, `docker.Env`, Swarm's and Kubernetes' env alike.
    public var secretEnv: Set<String> = []
    /// Env variables written as `{"sealed": "…"}`: the sealed texts, by name. Their opened
    /// values join `env` only when the commands open them with the installation's key.
    public var sealedEnv: [String: SealedValue] = [:]
    /// Env values read from a file or from berth's environment (`{"file": …}`, `{"env": …}`),
    /// put into `env` by the commands when the specs are read.
    public var secretRefs: [String: SecretReference] = [:]
    /// The host ports it publishes, where they were written (for collisions across files).
    public var hostBindings: [HostBinding] = []
    /// Docker only: `"state": "stopped"` makes the containers and keeps them stopped; berth
    /// never starts them (not at create, not when healing). Not in the config hash: stopping
    /// or starting is an action, never a replacement.
    public var state: RunIntent = .running
    /// `"suspend": true`: berth plans nothing for this spec and heals nothing of it until it
    /// is false again (as Flux's and Argo CD's suspend). Not in the config hash.
    public var suspend = false
    /// Docker only: false keeps the containers running when the spec is removed, released from
    /// berth (renamed `…-released`, never touched again) instead of deleted. In the config hash
    /// when false, so every container carries the `berth.prune` label that keeps the promise.
    public var prune = true
    /// `health`: the check each container (task, pod) runs; nil leaves the image's own.
    /// In the config hash only when set, so specs without it keep their hash.
    public var health: HealthCheck?
    /// `dependsOn`: specs whose creates and replaces go first and which must be ready before
    /// this one is created or replaced. Resolved across files by `Dependencies`. Not in the
    /// config hash: an order is not a configuration.
    public var dependsOn: [DependencyReference] = []
    /// Docker only: `update` read for containers: a replace of the replicas becomes a
    /// rollout in batches (`RolloutMachine`). Not in the config hash: how a change rolls out
    /// is not itself a change of the containers.
    public var rollout: UpdatePolicy?
    /// `"networks": ["backend"]`: networks berth makes and joins besides the owner's own
    /// (see `NetworkNames`). Not in the config hash: a missing one is joined in place.
    public var networks: [String] = []
    public var origin: SpecOrigin

    public init(
        name: SpecName, target: TargetName = .docker, platform: PlatformID? = nil, image: String, command: [String]? = nil,
        env: [String: String] = [:], replicas: Int = 1, ports: [PortMapping] = [], volumes: [VolumeMount] = [],
        labels: [String: String] = [:], restart: RestartPolicy? = nil, docker: JSONValue? = nil,
        mode: ServiceMode? = nil, update: UpdatePolicy? = nil, swarm: JSONValue? = nil,
        imageSource: ImageSource = ImageSource(), removeImage: Bool = false,
        namespace: String? = nil, kubernetes: JSONValue? = nil, manifests: [KubeManifest] = [], adopt: Bool = false,
        origin: SpecOrigin = SpecOrigin(file: "<memory>", path: .root, position: JSONPosition(line: 1, column: 1))
    ) {
        self.name = name; self.target = target; self.image = image; self.command = command
        self.platform = platform ?? PlatformID.implicit(target) ?? .docker
        self.env = env; self.replicas = replicas; self.ports = ports; self.volumes = volumes
        self.labels = labels; self.restart = restart
        self.imageSource = imageSource; self.removeImage = removeImage; self.origin = origin
        // Each platform's payload, through its accessors.
        self.docker = docker
        self.mode = mode; self.update = update; self.swarm = swarm
        self.namespace = namespace; self.kubernetes = kubernetes; self.manifests = manifests
        self.adopt = adopt
    }

    /// Whether two replicas of this spec, or an old and a new container, can run at once:
    /// a fixed host port cannot be bound twice.
    public var bindsHostPorts: Bool {
        if !ports.isEmpty { return true }
        if let bindings = docker?["HostConfig"]?["PortBindings"]?.objectValue { return !bindings.isEmpty }
        return false
    }
}

/// Where a spec was written: shown in every message about it.
public struct SpecOrigin: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var path: JSONPath
    public var position: JSONPosition
    public init(file: String, path: JSONPath, position: JSONPosition) {
        self.file = file; self.path = path; self.position = position
    }
    public var description: String { "\(file):\(position)" }
}

/// "[ip:]hostPort:containerPort[/tcp|udp]"
public struct PortMapping: Sendable, Equatable, CustomStringConvertible {
    public var hostIP: String?
    public var hostPort: Int
    public var containerPort: Int
    public var proto: String
    public init(hostIP: String? = nil, hostPort: Int, containerPort: Int, proto: String = "tcp") {
        self.hostIP = hostIP; self.hostPort = hostPort; self.containerPort = containerPort; self.proto = proto
    }
    public var description: String {
        (hostIP.map { "\($0):" } ?? "") + "\(hostPort):\(containerPort)/\(proto)"
    }
}

/// "source:destination[:ro|rw]", or `{"source", "target", "readOnly", "prune"}`; source is an
/// absolute host path (a bind) or a named volume.
public struct VolumeMount: Sendable, Equatable, CustomStringConvertible {
    public var source: String
    public var destination: String
    public var readOnly: Bool
    /// Named volumes written in the object form with `"prune": true`: the volume berth makes
    /// for it may be deleted once nothing uses it. Not in the config hash (the container is
    /// the same either way), and never for a bind: berth deletes no host folder.
    public var prune = false
    /// Where the mount was written, for errors about it (a bind source that does not exist).
    public var path: JSONPath?
    public var position: JSONPosition?
    public init(source: String, destination: String, readOnly: Bool = false) {
        self.source = source; self.destination = destination; self.readOnly = readOnly
    }
    /// Where it was written is not what it is.
    public static func == (a: VolumeMount, b: VolumeMount) -> Bool {
        a.source == b.source && a.destination == b.destination && a.readOnly == b.readOnly && a.prune == b.prune
    }
    /// A host path, not a named volume.
    public var isBind: Bool { source.hasPrefix("/") }
    public var description: String { "\(source):\(destination)" + (readOnly ? ":ro" : "") }
}

public enum ServiceMode: String, Sendable, Equatable, CaseIterable {
    case replicated, global
}

/// Swarm's UpdateConfig in portable form.
public struct UpdatePolicy: Sendable, Equatable {
    public var parallelism: Int?
    /// Nanoseconds, as the Engine API wants them.
    public var delayNanoseconds: Int64?
    public var order: String?
    public var failureAction: String?
    /// How long a new replica (task) is watched for failure; nanoseconds.
    public var monitorNanoseconds: Int64?
    public init(parallelism: Int? = nil, delayNanoseconds: Int64? = nil, order: String? = nil, failureAction: String? = nil,
                monitorNanoseconds: Int64? = nil) {
        self.parallelism = parallelism; self.delayNanoseconds = delayNanoseconds; self.order = order; self.failureAction = failureAction
        self.monitorNanoseconds = monitorNanoseconds
    }
}

/// What a spec wants its containers to be doing.
public enum RunIntent: String, Sendable, Equatable, CaseIterable {
    case running, stopped
}

public enum RestartPolicy: String, Sendable, Equatable, CaseIterable {
    case no
    case always
    case onFailure = "on-failure"
    case unlessStopped = "unless-stopped"
}
