import BerthHTTP
import BerthModel
import BerthSystem
import FoundationEssentials

/// The global options, resolved once: where specs and state live, who owns what, which engine.
public struct Settings: Sendable {
    public var specsDirectory: String
    public var stateDirectory: String
    public var owner: String
    public var dockerHost: String
    /// Kubernetes: an explicit kubeconfig file and context, as kubectl's flags.
    public var kubeconfig: String?
    public var kubeContext: String?
    /// Reach the cluster through `kubectl proxy --unix-socket` (exec plugins, anything berth does not speak).
    public var kubeProxy: Bool
    /// KUBECONFIG, HOME, in-cluster variables: read when Kubernetes is first needed.
    public var environment: [String: String]
    /// DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI reads them.
    public var dockerTLS: DockerTLS
    /// The longest one engine request may take ($BERTH_ENGINE_TIMEOUT, default 60 s; README
    /// "Settings from the environment"): shorter on a link where a stall should fail fast.
    public var engineTimeout: Duration = .seconds(60)
    /// Objects per Kubernetes list request ($BERTH_KUBE_PAGE_SIZE, default 500; 0: no pages);
    /// nil is the adapter's default. Smaller pages spare an API server that struggles with
    /// large lists (README "Settings from the environment").
    public var kubePageSize: Int?
    /// Where insecure transports are said, once each (stderr; tests capture it).
    public var transportWarnings = TransportWarnings(emit: { FileSystem.writeAll(2, Array(($0 + "\n").utf8)) })
    /// The operator's rules for what specs may ask (`--policy`); nil: anything, with warnings in `plan`.
    public var policy: Policy?
    /// `--git`: the specs come from this repository, checked out under state/git/; then
    /// `specsDirectory` is state/git/current/PATH.
    public var gitSource: GitSourceOptions?
    /// The targets specs may name: berth.json's (`--config`, else beside the specs folder)
    /// and the implicit docker, swarm and kubernetes.
    public var catalog: TargetCatalog = .implicit

    /// The options every command takes; the table lives with the commands.
    public static var globalOptions: [Arguments.Option] { CommandTable.globalOptions }

    public init(arguments: Arguments, environment: [String: String]) throws {
        specsDirectory = arguments.values["specs"] ?? "specs"
        stateDirectory = arguments.values["state"] ?? "state"
        gitSource = try GitSourceOptions(arguments)
        if let gitSource {
            specsDirectory = stateDirectory + "/git/current" + (gitSource.path.isEmpty ? "" : "/" + gitSource.path)
        }
        dockerHost = arguments.values["docker-host"] ?? environment["DOCKER_HOST"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "unix:///var/run/docker.sock"
        kubeconfig = arguments.values["kubeconfig"]
        kubeContext = arguments.values["context"]
        kubeProxy = arguments.flags.contains("kube-proxy")
        self.environment = environment
        dockerTLS = DockerTLS(environment: environment)
        if let text = environment["BERTH_ENGINE_TIMEOUT"], !text.isEmpty {
            guard let timeout = try? Durations.parse(text, option: "engine-timeout"), timeout > .zero else {
                throw BerthError(.usage, "BERTH_ENGINE_TIMEOUT takes a duration like 500ms, 5s or 2m, got \"\(text)\"")
            }
            engineTimeout = timeout
        }
        if let text = environment["BERTH_KUBE_PAGE_SIZE"], !text.isEmpty {
            guard let size = Int(text), size >= 0 else {
                throw BerthError(.usage, "BERTH_KUBE_PAGE_SIZE takes a whole number of objects per list request (0: no pages), got \"\(text)\"")
            }
            kubePageSize = size
        }
        catalog = try TargetsFile.load(arguments.values["config"], specsDirectory: specsDirectory, git: gitSource != nil)
        if let path = arguments.values["policy"] {
            policy = try PolicyFile.load(path, specsDirectory: specsDirectory)
        }
        if let owner = arguments.values["owner"] {
            guard Names.isValid(owner), owner.count <= SpecDecoder.maxNameLength else {
                throw BerthError(.usage, "--owner \"\(owner)\" is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit")
            }
            self.owner = owner
        } else if let gitSource {
            self.owner = gitSource.defaultOwner
        } else {
            self.owner = Settings.defaultOwner(specsDirectory: specsDirectory)
        }
    }

    /// The folder holding specs/ names the project, as Compose names a project after its folder.
    static func defaultOwner(specsDirectory: String) -> String {
        let absolute = URL(fileURLWithPath: specsDirectory).standardizedFileURL
        return Names.sanitized(absolute.deletingLastPathComponent().lastPathComponent)
    }

    /// The engine's endpoint; TLS when DOCKER_TLS_VERIFY (or DOCKER_TLS) is set and the host is
    /// tcp://. An insecure one is warned about, once per run.
    public func endpoint() throws -> HTTPEndpoint {
        let endpoint = try dockerTLS.endpoint(host: dockerHost)
        transportWarnings.check(docker: endpoint, host: dockerHost)
        return endpoint
    }

    /// Where `--git` keeps its clone, checkouts and source.json.
    public var gitDirectory: String { stateDirectory + "/git" }
    public var journalPath: String { stateDirectory + "/journal.jsonl" }
    public var configsPath: String { stateDirectory + "/configs.json" }
    /// What berth last sent to each Swarm service (a rollback makes the engine forget it).
    public var swarmSentPath: String { stateDirectory + "/swarm-sent.json" }
    /// Container rollouts that failed, so that they are not tried again until the spec changes.
    public var dockerRolloutsPath: String { stateDirectory + "/docker-rollouts.json" }
    /// Build-context file digests, so an unchanged context is not read again.
    public var digestCachePath: String { stateDirectory + "/digests" }
    /// The Kubernetes kinds berth has applied, so their objects are still found once their specs are gone.
    public var kubeKindsPath: String { stateDirectory + "/kubernetes-kinds.json" }
}
