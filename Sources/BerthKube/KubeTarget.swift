import BerthEngine
import BerthHTTP
import BerthModel
import FoundationEssentials

/// How to reach one Kubernetes target: the implicit one from the global options
/// (--kubeconfig, --context, --kube-proxy), or a berth.json target's context and file.
public struct KubeTargetSettings: Sendable {
    public var target: TargetName
    public var kubeconfig: String?
    public var context: String?
    /// Through `kubectl proxy --unix-socket` (exec plugins, anything berth does not speak).
    public var proxy: Bool
    /// KUBECONFIG, HOME, in-cluster variables.
    public var environment: [String: String]
    /// The kinds berth has applied there (state folder), so a removed spec's objects are found.
    public var kindsFile: String
    public var pageSize: Int?
    /// Refuses or warns about an insecure connection (the commands' transport rules).
    public var checkTransport: @Sendable (KubeConnectionSettings) throws -> Void
    public init(target: TargetName, kubeconfig: String?, context: String?, proxy: Bool, environment: [String: String],
                kindsFile: String, pageSize: Int?, checkTransport: @escaping @Sendable (KubeConnectionSettings) throws -> Void) {
        self.target = target; self.kubeconfig = kubeconfig; self.context = context; self.proxy = proxy
        self.environment = environment; self.kindsFile = kindsFile; self.pageSize = pageSize; self.checkTransport = checkTransport
    }
}

/// Kubernetes for one command: the kubeconfig (or in-cluster account) turned into a client,
/// or `kubectl proxy --unix-socket` run as a child when asked (`--kube-proxy`).
public final class KubeConnector: Sendable {
    public let adapter: KubernetesAdapter
    let proxy: KubeProxy?

    private init(adapter: KubernetesAdapter, proxy: KubeProxy?) { self.adapter = adapter; self.proxy = proxy }

    public static func connect(_ settings: KubeTargetSettings, onProxyExit: (@Sendable (String) -> Void)? = nil) async throws -> KubeConnector {
        let loader = KubeconfigLoader(kubeconfig: settings.kubeconfig, context: settings.context,
                                      environment: settings.environment)
        if settings.proxy {
            // The namespace still comes from the context where berth can read it; the
            // credentials are kubectl's business.
            let namespace = (try? loader.load())?.namespace ?? "default"
            let proxy = try await KubeProxy.start(kubeconfig: settings.kubeconfig, context: settings.context,
                                                  environment: settings.environment, onExit: onProxyExit)
            let client = KubeClient(endpoint: .unix(path: proxy.socketPath),
                                    credentials: "kubectl proxy" + (settings.context.map { " (context \"\($0)\")" } ?? ""))
            return KubeConnector(adapter: adapter(client, namespace: namespace, settings), proxy: proxy)
        }
        let connection = try loader.load()
        try settings.checkTransport(connection)
        let client = KubeClient(endpoint: endpoint(connection), credentials: connection.credentialsDescription,
                                pathPrefix: connection.server.pathPrefix, token: { connection.currentToken() })
        return KubeConnector(adapter: adapter(client, namespace: connection.namespace, settings), proxy: nil)
    }

    static func adapter(_ client: KubeClient, namespace: String, _ settings: KubeTargetSettings) -> KubernetesAdapter {
        KubernetesAdapter(client: client, defaultNamespace: namespace, kindsFile: settings.kindsFile,
                          pageSize: settings.pageSize ?? KubernetesAdapter.defaultPageSize, target: settings.target)
    }

    static func endpoint(_ c: KubeConnectionSettings) -> HTTPEndpoint {
        guard c.server.usesTLS else { return .tcp(host: c.server.host, port: c.server.port) }
        return .tls(host: c.server.host, port: c.server.port, settings: TLSSettings(
            caPEM: c.caPEM, clientCertificatePEM: c.clientCertificatePEM, clientKeyPEM: c.clientKeyPEM,
            insecureSkipVerify: c.insecureSkipVerify, serverName: c.tlsServerName))
    }

    public func stop() async { await proxy?.stop() }

    /// Whether this command needs the target at all: a spec targets it, berth has applied
    /// objects there before (they may need pruning), or the user named a cluster.
    public static func isNeeded(_ settings: KubeTargetSettings, desired: DesiredState?) -> Bool {
        if settings.proxy || settings.kubeconfig != nil || settings.context != nil { return true }
        if FileManager.default.fileExists(atPath: settings.kindsFile) { return true }
        return desired?.specs.contains { $0.target == settings.target } ?? false
    }
}

/// The Kubernetes target of one command or watch: connects when a spec first needs it (or
/// berth has objects there to look after), so Docker-only users never need a kubeconfig.
/// Until then it observes nothing; a connection that cannot be made is this target's error
/// (its specs are left out, nothing is pruned for it), retried on the next pass.
public final class KubePlatform: Platform, EventSource, PlanningFacts, ReachabilityProbe {
    public var target: TargetName { settings.target }
    public let platform = PlatformID.kubernetes
    let settings: KubeTargetSettings
    let onProxyExit: (@Sendable (String) -> Void)?
    private let slot = Slot()
    /// The owner's Lease: nothing is changed on the cluster without it.
    let lease = KubeLeaseKeeper()

    actor Slot {
        var connector: KubeConnector?
        var stopped = false
        func get(_ connect: @Sendable () async throws -> KubeConnector) async throws -> KubeConnector {
            if let connector { return connector }
            guard !stopped else { throw BerthError(.cancelled, "berth is stopping") }
            let made = try await connect()
            connector = made
            return made
        }
        func current() -> KubeConnector? { connector }
        /// kubectl proxy died: the next pass starts a new one.
        func forget() async { await connector?.stop(); connector = nil }
        func stop() async { stopped = true; await connector?.stop(); connector = nil }
    }

    public init(settings: KubeTargetSettings, onProxyExit: (@Sendable (String) -> Void)? = nil) {
        self.settings = settings
        self.onProxyExit = onProxyExit
    }

    public func adapter() async throws -> KubernetesAdapter {
        let settings = self.settings, onProxyExit = self.onProxyExit, slot = self.slot
        return try await slot.get {
            try await KubeConnector.connect(settings, onProxyExit: { reason in
                onProxyExit?("kubectl proxy exited: \(reason); starting it again on the next pass")
                Task { await slot.forget() }
            })
        }.adapter
    }

    public func observe(owner: String) async throws -> [ObservedResource] {
        try await observe(owner: owner, desired: DesiredState(specs: []))
    }

    public func observe(owner: String, desired: DesiredState) async throws -> [ObservedResource] {
        guard KubeConnector.isNeeded(settings, desired: desired) else { return [] }
        let wanted = desired.specs.contains { $0.target == target }
        do {
            return try await adapter().observe(owner: owner, desired: desired)
        } catch where !wanted {
            // Only objects of removed specs could be there; without the cluster they are not
            // seen, so nothing is pruned, and Docker specs must not be held up for them.
            return []
        }
    }

    public func perform(_ action: Action, owner: String) async throws {
        let adapter = try await adapter()
        try await lease.ensure(owner: owner, adapter: adapter)
        try await adapter.perform(action, owner: owner)
    }

    /// apply takes the Lease before its first action, so a refusal is one line and nothing is done.
    public func takeLease(owner: String) async throws {
        try await lease.ensure(owner: owner, adapter: adapter())
    }

    /// Waits until something connected the cluster (a spec needed it), then follows it.
    public func events(owner: String) async throws -> AsyncThrowingStream<ResourceEvent, Error> {
        while await slot.current() == nil {
            try await Task.sleep(for: .seconds(1))
        }
        return try await adapter().events(owner: owner)
    }

    public func contribute(to context: PlanContext) async -> PlanContext {
        guard let connector = await slot.current() else { return context }
        return await connector.adapter.contribute(to: context)
    }

    /// `plan` asks the server about the Kubernetes objects it would write (dry run).
    public func dryRun(_ plan: Plan) async -> Plan {
        guard plan.actions.contains(where: { $0.key.target == target && $0.op != .delete }),
              let adapter = await connected() else { return plan }
        return await adapter.dryRun(plan)
    }

    /// The watch probes an unreachable cluster's `/readyz` (see `ReachabilityProbe`).
    public func waitUntilReachable() async -> Bool {
        guard let adapter = await connected() else { return false }
        return await adapter.waitUntilReachable()
    }

    /// The connected adapter, if any (apply --wait reads rollouts through it).
    public func connected() async -> KubernetesAdapter? { await slot.current()?.adapter }

    /// Gives the Lease back and stops `kubectl proxy`, if berth started one.
    public func stop() async {
        await lease.release()
        await slot.stop()
    }
}
