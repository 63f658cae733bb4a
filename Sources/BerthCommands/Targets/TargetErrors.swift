import BerthModel
import BerthSystem

/// Why a target could not be observed, naming it the way a person knows it: DOCKER_HOST's
/// engine as "the Docker Engine at …" (as berth v1 said it), a named target by its address.
enum TargetErrors {
    /// The cause alone: `status` puts "target NAME: unreachable since …" in front of it.
    static func cause(_ target: TargetName, _ error: any Error, settings: Settings) -> String {
        if let engine = engineAway(target, error, settings: settings) { return engine }
        let text = "\(error)", named = "target \(target): "
        return text.hasPrefix(named) ? String(text.dropFirst(named.count)) : text
    }

    /// One line on stderr: a named target's name in front; the implicit ones as berth v1 said them.
    static func line(_ target: TargetName, _ error: any Error, settings: Settings) -> String {
        guard target.isImplicit else { return "target \(target): " + cause(target, error, settings: settings) }
        return engineAway(target, error, settings: settings) ?? "\(error)"
    }

    /// A Docker or Swarm target's engine that did not answer, with its address.
    private static func engineAway(_ target: TargetName, _ error: any Error, settings: Settings) -> String? {
        guard let berthError = error as? BerthError, berthError.code == .engineUnreachable,
              let entry = settings.catalog.targets[target], entry.platform == .docker || entry.platform == .swarm else { return nil }
        let host = URLCredentials.masked(entry.host ?? settings.dockerHost)
        let cause = berthError.cause.map { ": \($0)" } ?? ""
        return target.isImplicit ? "cannot reach the Docker Engine at \(host)\(cause)" : "cannot reach its engine at \(host)\(cause)"
    }
}
