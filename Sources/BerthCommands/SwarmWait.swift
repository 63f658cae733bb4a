import BerthDocker
import BerthEngine
import BerthJSON
import BerthModel
import FoundationEssentials

/// `apply --wait` for Swarm: follows each service berth just created or updated until Swarm
/// finishes (every task running the new spec), rolls the update back or pauses it (a failure,
/// with Swarm's message), or the timeout passes.
enum SwarmWait {
    static let interval: Duration = .milliseconds(500)

    /// Nil when every service converged; else why not.
    static func run(swarm: DockerSwarmAdapter, services: [(name: String, replicas: Int?)], timeout: Duration,
                    console: Console) async -> String? {
        let deadline = ContinuousClock.now + timeout
        var pending = services
        var said: [String: String] = [:]
        while true {
            var still: [(name: String, replicas: Int?)] = []
            for service in pending {
                let state: DockerSwarmAdapter.RolloutState
                do { state = try await swarm.rolloutState(of: service.name, replicas: service.replicas) } catch {
                    if said[service.name] != "\(error)" { console.err("wait: service \(service.name): \(error)"); said[service.name] = "\(error)" }
                    still.append(service)
                    continue
                }
                switch state {
                case .converged(let text): console.out("rollout complete: service \(service.name): \(text)")
                case .failed(let why): return "service \(service.name): \(why)"
                case .waiting(let text):
                    if said[service.name] != text { console.status("waiting: service \(service.name): \(text)", onStdout: true); said[service.name] = text }
                    still.append(service)
                }
            }
            pending = still
            if pending.isEmpty { return nil }
            if ContinuousClock.now >= deadline {
                let last = pending.map { "\($0.name): \(said[$0.name] ?? "no status yet")" }.joined(separator: "; ")
                return "timed out after \(Controller.seconds(timeout)) waiting for Swarm: \(last)"
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The services this apply created, replaced or updated.
    static func services(_ outcomes: [Executor.Outcome], owner: String) -> [(name: String, replicas: Int?)] {
        outcomes.filter { $0.succeeded && $0.action.spec?.platform == .swarm && $0.action.op != .delete }.compactMap { outcome in
            guard let spec = outcome.action.spec else { return nil }
            return (ServiceBody.name(owner: owner, spec: spec.name, target: spec.target), spec.mode == .global ? nil : spec.replicas)
        }
    }
}
