import Foundation

/// kube-apiserver's health endpoints: `/readyz`, `/livez`, `/healthz`, plain text whatever
/// the client accepts, readable without credentials. `setReady(false)` makes them fail as a
/// server whose storage is away does, for clients that probe a server coming back.
extension KubeTestServer {
    static let readyChecks = [
        "ping", "log", "etcd", "etcd-readiness", "informer-sync",
        "poststarthook/start-kube-apiserver-admission-initializer", "poststarthook/generic-apiserver-start-informers",
        "poststarthook/priority-and-fairness-config-consumer", "poststarthook/priority-and-fairness-filter",
        "poststarthook/storage-object-count-tracker-hook", "poststarthook/start-apiextensions-informers",
        "poststarthook/start-apiextensions-controllers", "poststarthook/crd-informer-synced",
        "poststarthook/start-service-ip-repair-controllers", "poststarthook/rbac/bootstrap-roles",
        "poststarthook/scheduling/bootstrap-system-priority-classes", "poststarthook/priority-and-fairness-config-producer",
        "poststarthook/start-system-namespaces-controller", "poststarthook/bootstrap-controller",
        "poststarthook/start-cluster-authentication-info-controller", "poststarthook/start-kube-apiserver-identity-lease-controller",
        "poststarthook/start-deprecated-kube-apiserver-identity-lease-garbage-collector",
        "poststarthook/start-kube-apiserver-identity-lease-garbage-collector", "poststarthook/start-legacy-token-tracking-controller",
        "poststarthook/start-kube-aggregator-informers", "poststarthook/apiservice-registration-controller",
        "poststarthook/apiservice-status-available-controller", "poststarthook/kube-apiserver-autoregistration",
        "autoregister-completion", "poststarthook/apiservice-openapi-controller", "poststarthook/apiservice-openapiv3-controller",
        "poststarthook/apiservice-discovery-controller", "shutdown",
    ]

    /// Makes the health endpoints answer ok (true) or fail on the etcd check (false).
    public func setReady(_ ready: Bool) {
        unready.withLock { $0 = !ready }
    }

    /// Probes of the health endpoints so far (a client's cheap reachability checks).
    public var healthProbeCount: Int { requests.filter { ["/readyz", "/livez", "/healthz"].contains($0.path.split(separator: "?").first.map(String.init) ?? "") }.count }

    func health(_ endpoint: String, verbose: Bool) -> HTTPServerReply? {
        guard ["readyz", "livez", "healthz"].contains(endpoint) else { return nil }
        let failing = unready.withLock { $0 } && endpoint != "livez"
        guard verbose || failing else { return .text("ok") }
        let lines = Self.readyChecks.map { check in
            failing && check.hasPrefix("etcd") ? "[-]\(check) failed: reason withheld" : "[+]\(check) ok"
        }
        let verdict = failing ? "\(endpoint) check failed" : "\(endpoint) check passed"
        return .text(lines.joined(separator: "\n") + "\n" + verdict + "\n", status: failing ? 500 : 200)
    }
}
