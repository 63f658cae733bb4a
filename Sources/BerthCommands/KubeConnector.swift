import BerthEngine
import BerthHTTP
import BerthKube
import BerthModel
import FoundationEssentials

/// Kubernetes for one command: the kubeconfig (or in-cluster account) turned into a client,
/// or `kubectl proxy --unix-socket` run as a child when asked (`--kube-proxy`).
final class KubeConnector: Sendable {
    let adapter: KubernetesAdapter
    let proxy: KubeProxy?

    private init(adapter: KubernetesAdapter, proxy: KubeProxy?) { self.adapter = adapter; self.proxy = proxy }

    static func connect(_ settings: Settings, onProxyExit: (@Sendable (String) -> Void)? = nil) async throws -> KubeConnector {
        let loader = KubeconfigLoader(kubeconfig: settings.kubeconfig, context: settings.kubeContext,
                                      environment: settings.environment)
        if settings.kubeProxy {
            // The namespace still comes from the context where berth can read it; the
            // credentials are kubectl's business.
            let namespace = (try? loader.load())?.namespace ?? "default"
            let proxy = try await KubeProxy.start(kubeconfig: settings.kubeconfig, context: settings.kubeContext,
                                                  environment: settings.environment, onExit: onProxyExit)
            let client = KubeClient(endpoint: .unix(path: proxy.socketPath),
                                    credentials: "kubectl proxy" + (settings.kubeContext.map { " (context \"\($0)\")" } ?? ""))
            return KubeConnector(adapter: adapter(client, namespace: namespace, settings), proxy: proxy)
        }
        let connection = try loader.load()
        try settings.transportWarnings.check(kube: connection)
        let client = KubeClient(endpoint: endpoint(connection), credentials: connection.credentialsDescription,
                                pathPrefix: connection.server.pathPrefix, token: { connection.currentToken() })
        return KubeConnector(adapter: adapter(client, namespace: connection.namespace, settings), proxy: nil)
    }

    static func adapter(_ client: KubeClient, namespace: String, _ settings: Settings) -> KubernetesAdapter {
        KubernetesAdapter(client: client, defaultNamespace: namespace, kindsFile: settings.kubeKindsPath,
                          pageSize: settings.kubePageSize ?? KubernetesAdapter.defaultPageSize)
    }

    static func endpoint(_ c: KubeConnectionSettings) -> HTTPEndpoint {
        guard c.server.usesTLS else { return .tcp(host: c.server.host, port: c.server.port) }
        return .tls(host: c.server.host, port: c.server.port, settings: TLSSettings(
            caPEM: c.caPEM, clientCertificatePEM: c.clientCertificatePEM, clientKeyPEM: c.clientKeyPEM,
            insecureSkipVerify: c.insecureSkipVerify, serverName: c.tlsServerName))
    }

    func stop() async { await proxy?.stop() }

    /// Whether this command needs Kubernetes at all: a spec targets it, berth has applied
    /// objects there before (they may need pruning), or the user named a cluster.
    static func isNeeded(_ settings: Settings, desired: DesiredState?) -> Bool {
        if settings.kubeProxy || settings.kubeconfig != nil || settings.kubeContext != nil { return true }
        if FileManager.default.fileExists(atPath: settings.kubeKindsPath) { return true }
        return desired?.specs.contains { $0.target == "kubernetes" } ?? false
    }
}

/// The Kubernetes target of one command or watch: connects when a spec first needs it (or
/// berth has objects there to look after), so Docker-only users never need a kubeconfig.
/// Until then it observes nothing; a connection that cannot be made is this target's error
/// (its specs are left out, nothing is pruned for it), retried on the next pass.
final class KubePlatform: Platform, EventSource, PlanningFacts, ReachabilityProbe {
    let target = "kubernetes"
    let settings: Settings
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

    init(settings: Settings, onProxyExit: (@Sendable (String) -> Void)? = nil) {
        self.settings = settings
        self.onProxyExit = onProxyExit
    }

    func adapter() async throws -> KubernetesAdapter {
        let settings = self.settings, onProxyExit = self.onProxyExit, slot = self.slot
        return try await slot.get {
            try await KubeConnector.connect(settings, onProxyExit: { reason in
                onProxyExit?("kubectl proxy exited: \(reason); starting it again on the next pass")
                Task { await slot.forget() }
            })
        }.adapter
    }

    func observe(owner: String) async throws -> [ObservedResource] {
        try await observe(owner: owner, desired: DesiredState(specs: []))
    }

    func observe(owner: String, desired: DesiredState) async throws -> [ObservedResource] {
        guard KubeConnector.isNeeded(settings, desired: desired) else { return [] }
        let wanted = desired.specs.contains { $0.target == "kubernetes" }
        do {
            return try await adapter().observe(owner: owner, desired: desired)
        } catch where !wanted {
            // Only objects of removed specs could be there; without the cluster they are not
            // seen, so nothing is pruned, and Docker specs must not be held up for them.
            return []
        }
    }

    func perform(_ action: Action, owner: String) async throws {
        let adapter = try await adapter()
        try await lease.ensure(owner: owner, adapter: adapter)
        try await adapter.perform(action, owner: owner)
    }

    /// apply takes the Lease before its first action, so a refusal is one line and nothing is done.
    func takeLease(owner: String) async throws {
        try await lease.ensure(owner: owner, adapter: adapter())
    }

    /// Waits until something connected the cluster (a spec needed it), then follows it.
    func events(owner: String) async throws -> AsyncThrowingStream<ResourceEvent, Error> {
        while await slot.current() == nil {
            try await Task.sleep(for: .seconds(1))
        }
        return try await adapter().events(owner: owner)
    }

    func contribute(to context: PlanContext) async -> PlanContext {
        guard let connector = await slot.current() else { return context }
        return await connector.adapter.contribute(to: context)
    }

    /// `plan` asks the server about the Kubernetes objects it would write (dry run).
    func dryRun(_ plan: Plan) async -> Plan {
        guard plan.actions.contains(where: { $0.key.target == "kubernetes" && $0.op != .delete }),
              let adapter = await connected() else { return plan }
        return await adapter.dryRun(plan)
    }

    /// The watch probes an unreachable cluster's `/readyz` (see `ReachabilityProbe`).
    func waitUntilReachable() async -> Bool {
        guard let adapter = await connected() else { return false }
        return await adapter.waitUntilReachable()
    }

    /// The connected adapter, if any (apply --wait reads rollouts through it).
    func connected() async -> KubernetesAdapter? { await slot.current()?.adapter }

    /// Gives the Lease back and stops `kubectl proxy`, if berth started one.
    func stop() async {
        await lease.release()
        await slot.stop()
    }
}
