import BerthHTTP
import BerthKube
import BerthModel
import FoundationEssentials

/// The engine address of a Docker or Swarm target: the implicit ones use DOCKER_HOST (and
/// DOCKER_TLS_VERIFY, as the docker CLI); a named one its own host, TLS files and ssh settings.
enum TargetEndpoints {
    static func endpoint(for entry: TargetCatalog.Entry, _ settings: Settings) throws -> HTTPEndpoint {
        guard let host = entry.host else { return try settings.endpoint() }
        if host.hasPrefix("ssh://") {
            var destination: SSHDestination
            do { destination = try SSHDestination(parsing: host) } catch {
                throw BerthError(.usage, "target \(entry.name): \(error)")
            }
            // This target's own ssh settings, passed to its ssh alone (no ~/.ssh/config edits).
            if let ssh = entry.ssh {
                destination.identityFile = ssh.identityFile ?? destination.identityFile
                destination.knownHostsFile = ssh.knownHostsFile ?? destination.knownHostsFile
                destination.port = ssh.port ?? destination.port
                destination.options += ssh.options
            }
            return .ssh(destination)
        }
        if let tls = entry.tls {
            do { return try DockerTLS.endpoint(host: host, ca: tls.ca, cert: tls.cert, key: tls.key) } catch {
                throw BerthError(.usage, "target \(entry.name): \(error)")
            }
        }
        let parsed: HTTPEndpoint
        do { parsed = try HTTPEndpoint(parsing: host) } catch {
            throw BerthError(.usage, "target \(entry.name): \"\(host)\" is not unix:///path, tcp://host:port or ssh://user@host")
        }
        settings.transportWarnings.check(docker: parsed, host: host)
        return parsed
    }
}

extension Settings {
    /// The implicit kubernetes target from the global options; a named one from berth.json.
    func kubeTarget(_ entry: TargetCatalog.Entry) -> KubeTargetSettings {
        let implicit = entry.name.isImplicit
        let warnings = transportWarnings
        return KubeTargetSettings(
            target: entry.name, kubeconfig: implicit ? kubeconfig : entry.kubeconfig ?? kubeconfig,
            context: implicit ? kubeContext : entry.context, proxy: kubeProxy, environment: environment,
            kindsFile: implicit ? kubeKindsPath : stateDirectory + "/kubernetes-kinds-\(entry.name).json",
            pageSize: kubePageSize, checkTransport: { try warnings.check(kube: $0) })
    }

    /// What berth last sent to each Swarm service of a target.
    func swarmSentPath(_ target: TargetName) -> String {
        target.isImplicit ? swarmSentPath : stateDirectory + "/swarm-sent-\(target).json"
    }

    func dockerRolloutsPath(_ target: TargetName) -> String {
        target.isImplicit ? dockerRolloutsPath : stateDirectory + "/docker-rollouts-\(target).json"
    }
}

extension Settings {
    /// The implicit kubernetes target's connection settings (the global options'; a
    /// berth.json entry of that name changes nothing for it, as `kubeTarget` reads them).
    var implicitKubeTarget: KubeTargetSettings { kubeTarget(TargetCatalog.Entry(name: .kubernetes, platform: .kubernetes)) }
}
