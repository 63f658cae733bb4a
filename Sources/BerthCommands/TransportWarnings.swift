import BerthHTTP
import BerthKube
import BerthModel
import BerthSystem
import FoundationEssentials

/// Insecure ways of reaching an engine or a cluster, each said once per run: TLS without
/// verification, a plain tcp:// engine that gets registry credentials and secret env values
/// in clear text. A bearer token over plain http:// to another machine is refused outright.
public final class TransportWarnings: @unchecked Sendable {
    // @unchecked: `seen` is only touched under `lock`.
    private let lock = ThreadLock()
    private var seen: Set<String> = []
    private let emit: @Sendable (String) -> Void

    public init(emit: @escaping @Sendable (String) -> Void) { self.emit = emit }

    /// Says `message` unless it was said before in this run.
    func warn(_ message: String) {
        let first = lock.withLock { seen.insert(message).inserted }
        if first { emit("berth: warning: " + message) }
    }

    /// The Docker Engine endpoint as reached: plain tcp:// to another machine, or TLS unverified.
    func check(docker endpoint: HTTPEndpoint, host: String) {
        switch endpoint {
        case .unix, .ssh: break
        case .tcp(let name, _):
            if !TransportWarnings.isLoopback(name) {
                warn("the Docker Engine at \(host) is reached without TLS: registry credentials and secret env values cross the network in clear text; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH")
            }
        case .tls(_, _, let settings):
            if settings.insecureSkipVerify {
                warn("the Docker Engine's certificate at \(host) is not verified (DOCKER_TLS without DOCKER_TLS_VERIFY): anyone on the network path can pose as the engine; set DOCKER_TLS_VERIFY=1")
            }
        }
    }

    /// The Kubernetes API server: a token over plain http:// leaves this machine only to loopback.
    func check(kube connection: KubeConnectionSettings) throws {
        let server = connection.server
        if !server.usesTLS && (connection.token != nil || connection.tokenFile != nil) {
            guard TransportWarnings.isLoopback(server.host) else {
                throw BerthError(.usage, "refusing to send the bearer token of \(connection.credentialsDescription) to \(server) over plain http://: anyone on the network path could read it; use an https:// server")
            }
        }
        if !server.usesTLS && !TransportWarnings.isLoopback(server.host) {
            warn("the Kubernetes API server at \(server) is reached without TLS: Secrets and everything berth applies cross the network in clear text; use an https:// server")
        }
        if server.usesTLS && connection.insecureSkipVerify {
            warn("the Kubernetes API server's certificate at \(server) is not verified (insecure-skip-tls-verify): anyone on the network path can pose as it and read the credentials berth sends; set certificate-authority instead")
        }
    }

    /// localhost, 127.0.0.0/8, ::1: traffic that never leaves the machine.
    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        return lower == "localhost" || lower.hasSuffix(".localhost") || lower.hasPrefix("127.") || lower == "::1"
            || lower == "0:0:0:0:0:0:0:1" || lower == "ip6-localhost"
    }
}
