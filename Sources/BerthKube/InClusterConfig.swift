import BerthSystem
import FoundationEssentials
import BerthModel

/// The credentials a pod gets from its service account, read the way client-go's
/// `rest.InClusterConfig` reads them.
///
/// The API server is `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`; the
/// token, CA and namespace are files in the service-account folder. The token file is
/// recorded in the settings because the kubelet rotates bound tokens on disk.
/// `KubeconfigLoader` uses this only when no kubeconfig file is found or given.
public struct InClusterConfig: Sendable {
    /// Where Kubernetes mounts the service account in every pod.
    public static let defaultDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Read for `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT` and `POD_NAMESPACE`.
    public var environment: [String: String]
    /// The service-account folder holding `token`, `ca.crt` and `namespace`.
    public var directory: String

    /// Creates a reader; tests point `directory` at a fake service-account folder.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                directory: String = InClusterConfig.defaultDirectory) {
        self.environment = environment
        self.directory = directory
    }

    /// True when the environment says berth runs in a pod: both service variables set.
    public var isPossible: Bool {
        !(environment["KUBERNETES_SERVICE_HOST"] ?? "").isEmpty && !(environment["KUBERNETES_SERVICE_PORT"] ?? "").isEmpty
    }

    /// The in-cluster settings, or nil when not running in a cluster.
    ///
    /// A missing or empty token is an error, since the variables promise a service
    /// account. A missing `ca.crt` is not (client-go only logs it): the system's roots are
    /// used. The namespace is `$POD_NAMESPACE`, else the `namespace` file, else "default",
    /// as kubectl decides it in a pod.
    public func load() throws(BerthError) -> KubeConnectionSettings? {
        guard isPossible, let host = environment["KUBERNETES_SERVICE_HOST"], let portText = environment["KUBERNETES_SERVICE_PORT"] else {
            return nil
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw BerthError(.usage, "KUBERNETES_SERVICE_PORT is \"\(portText)\"; expected a port number from 1 to 65535")
        }
        // The variable holds a bare address; IPv6 clusters give one without brackets.
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let tokenPath = FileSystem.appending("token", to: directory)
        let token = try KubeconfigLoader.readToken(tokenPath, named: "in-cluster service account")
        let caPath = FileSystem.appending("ca.crt", to: directory)
        let ca = FileManager.default.contents(atPath: caPath).map { [UInt8]($0) }
        var namespace = environment["POD_NAMESPACE"].flatMap { $0.isEmpty ? nil : $0 }
        if namespace == nil, let data = FileManager.default.contents(atPath: FileSystem.appending("namespace", to: directory)) {
            let text = String(decoding: data, as: UTF8.self).trimmingWhitespaceAndNewlines()
            namespace = text.isEmpty ? nil : text
        }
        return KubeConnectionSettings(
            server: .init(scheme: "https", host: bare, port: port), caPEM: ca, token: token, tokenFile: tokenPath,
            namespace: namespace ?? "default",
            credentialsDescription: "in-cluster service account (bearer token file \(tokenPath))")
    }
}
