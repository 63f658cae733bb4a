import BerthDocker
import BerthEngine
import BerthHTTP
import BerthKube
import BerthModel
import BerthSystem
import FoundationEssentials

/// Every target of one command or watch, built once from the settings and berth.json. The
/// only place that knows which adapter serves a platform: adding one is a new folder of
/// sources, a translator in `PlatformTranslators.standard`, and one line in `builders`.
final class TargetRegistry: Sendable {
    let platforms: [any Platform]
    /// How each target is reached, in words, for the log and status.
    let descriptions: [TargetName: String]

    /// What a builder gets besides the target's description.
    struct Context: Sendable {
        let settings: Settings
        let progress: @Sendable (TargetName, String) -> Void
        let onProxyExit: (@Sendable (String) -> Void)?
        /// Engine clients by address: the implicit docker and swarm share one, as one engine.
        let clients: EngineClients
    }

    typealias Builder = @Sendable (TargetCatalog.Entry, Context) throws -> any Platform

    static let builders: [PlatformID: Builder] = [
        .docker: { entry, context in
            let (client, images) = try context.clients.engine(for: entry, context)
            return DockerContainerAdapter(client: client, images: images, target: entry.name,
                                          rollouts: ContainerRolloutRecords(path: context.settings.dockerRolloutsPath(entry.name)))
        },
        .swarm: { entry, context in
            let (client, images) = try context.clients.engine(for: entry, context)
            return DockerSwarmAdapter(client: client, images: images, records: SwarmSentRecords(path: context.settings.swarmSentPath(entry.name)),
                                      target: entry.name)
        },
        .kubernetes: { entry, context in
            KubePlatform(settings: context.settings.kubeTarget(entry), onProxyExit: context.onProxyExit)
        },
    ]

    init(platforms: [any Platform], descriptions: [TargetName: String]) {
        self.platforms = platforms; self.descriptions = descriptions
    }

    /// `progress` hears image pulls, imports and builds, by target. A target that cannot be
    /// built (a TLS file that cannot be read) is not fatal: it fails to observe, alone.
    static func build(_ settings: Settings, progress: @escaping @Sendable (TargetName, String) -> Void = { _, _ in },
                      onProxyExit: (@Sendable (String) -> Void)? = nil) -> TargetRegistry {
        let context = Context(settings: settings, progress: progress, onProxyExit: onProxyExit, clients: EngineClients())
        var platforms: [any Platform] = []
        var descriptions: [TargetName: String] = [:]
        for entry in settings.catalog.targets.values.sorted(by: { $0.name < $1.name }) {
            descriptions[entry.name] = describe(entry, settings)
            guard let builder = builders[entry.platform] else { continue }
            do {
                platforms.append(try builder(entry, context))
            } catch {
                platforms.append(UnusableTarget(target: entry.name, platform: entry.platform, error: error))
            }
        }
        return TargetRegistry(platforms: platforms, descriptions: descriptions)
    }

    var kubes: [KubePlatform] { platforms.compactMap { $0 as? KubePlatform } }

    /// Gives every Lease back and stops `kubectl proxy` children.
    func stop() async { for kube in kubes { await kube.stop() } }

    /// "docker (engine unix:///…)", "edge-1 (engine ssh://deploy@10.0.0.5)", "staging (kubernetes, context staging)".
    static func describe(_ entry: TargetCatalog.Entry, _ settings: Settings) -> String {
        switch entry.platform {
        case .docker, .swarm:
            let host = entry.host ?? settings.dockerHost
            return "\(entry.name) (\(entry.name.isImplicit ? "" : "\(entry.platform), ")engine \(URLCredentials.masked(host)))"
        case .kubernetes:
            let context = entry.context ?? (entry.name.isImplicit ? settings.kubeContext : nil)
            return "\(entry.name) (\(entry.name.isImplicit ? "" : "kubernetes, ")" + (context.map { "context \($0)" } ?? "the kubeconfig's current context") + ")"
        default:
            return "\(entry.name) (\(entry.platform))"
        }
    }

    func describe(_ targets: Set<TargetName>) -> String {
        let named = targets.sorted().map { descriptions[$0] ?? $0.rawValue }
        return named.isEmpty ? "no target in use yet (no spec names one)" : "targets " + named.joined(separator: ", ")
    }
}

/// Engine clients by address and credentials, made once: two targets on one engine share its
/// client and its image preparer (one pull, one build); the same address with other TLS or
/// ssh settings is another client, since those settings are who berth is there.
final class EngineClients: @unchecked Sendable {
    private let lock = ThreadLock()
    private var made: [String: (DockerClient, ImagePreparer)] = [:]

    func engine(for entry: TargetCatalog.Entry, _ context: TargetRegistry.Context) throws -> (DockerClient, ImagePreparer) {
        let settings = context.settings
        let address = (entry.host ?? settings.dockerHost) + "|" + String(describing: entry.tls) + "|" + String(describing: entry.ssh)
        lock.lock()
        defer { lock.unlock() }
        if let found = made[address] { return found }
        let endpoint = try TargetEndpoints.endpoint(for: entry, settings)
        let client = DockerClient(endpoint: endpoint, timeout: settings.engineTimeout)
        let name = entry.name, progress = context.progress
        let images = ImagePreparer(client: client, progress: { progress(name, $0) })
        made[address] = (client, images)
        return (client, images)
    }
}

/// A target whose adapter could not be made: every observation fails with why, so the
/// target is named as unavailable and the others go on.
struct UnusableTarget: Platform {
    let target: TargetName
    let platform: PlatformID
    let error: any Error
    func observe(owner: String) async throws -> [ObservedResource] { throw error }
}
