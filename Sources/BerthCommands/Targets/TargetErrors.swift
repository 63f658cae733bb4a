import BerthModel
import BerthSystem

/// One line per target that could not be observed, naming it the way a person knows it:
/// DOCKER_HOST's engine as "the Docker Engine at …" (as berth v1 said it), a named target by
/// its name and address.
enum TargetErrors {
    static func line(_ target: TargetName, _ error: any Error, settings: Settings, registry: TargetRegistry) -> String {
        let berthError = error as? BerthError
        if berthError?.code == .engineUnreachable, let entry = settings.catalog.targets[target],
           entry.platform == .docker || entry.platform == .swarm {
            let host = URLCredentials.masked(entry.host ?? settings.dockerHost)
            let cause = berthError?.cause.map { ": \($0)" } ?? ""
            return target.isImplicit ? "cannot reach the Docker Engine at \(host)\(cause)"
                : "target \(target): cannot reach its engine at \(host)\(cause)"
        }
        let text = "\(error)"
        return target.isImplicit || text.hasPrefix("target \(target)") ? text : "target \(target): \(text)"
    }
}
