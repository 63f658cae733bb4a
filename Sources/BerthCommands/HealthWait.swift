import BerthDocker
import BerthEngine
import BerthModel

/// `apply --wait` for containers: follows each spec this apply created, replaced, started or
/// updated until as many of its containers as it asks run its current configuration and,
/// where they have a health check, are healthy; fails at once on one that turns unhealthy or
/// exits, saying what its last check printed.
enum HealthWait {
    static let interval: Duration = .milliseconds(500)

    /// Nil when every spec is ready; else why not.
    static func run(docker: DockerContainerAdapter, specs: [Spec], owner: String, timeout: Duration, console: Console) async -> String? {
        let deadline = ContinuousClock.now + timeout
        var pending = specs
        var said: [SpecName: String] = [:]
        while true {
            var still: [Spec] = []
            for spec in pending {
                let name = "\(spec.target) \(spec.name)"
                do {
                    switch try await docker.readiness(of: spec, owner: owner) {
                    case .ready(let text): console.out("ready: \(name): \(text)")
                    case .failed(let why): return "\(name): \(why)"
                    case .waiting(let text):
                        if said[spec.name] != text { console.status("waiting: \(name): \(text)", onStdout: true); said[spec.name] = text }
                        still.append(spec)
                    }
                } catch {
                    // A failed read is not a failed container: say it and look again.
                    if said[spec.name] != "\(error)" { console.err("wait: \(name): \(error)"); said[spec.name] = "\(error)" }
                    still.append(spec)
                }
            }
            pending = still
            if pending.isEmpty { return nil }
            if ContinuousClock.now >= deadline {
                let last = pending.map { "\($0.name): \(said[$0.name] ?? "no status yet")" }.joined(separator: "; ")
                return "timed out after \(Controller.seconds(timeout)) waiting for containers to be ready: \(last)"
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The specs of this target whose containers this apply made or changed and that should run.
    static func specs(_ outcomes: [Executor.Outcome], target: TargetName) -> [Spec] {
        var seen: Set<SpecName> = []
        return outcomes.filter { $0.succeeded && $0.action.key.target == target && [.create, .replace, .start, .update].contains($0.action.op) }
            .compactMap(\.action.spec)
            .filter { $0.state == .running && seen.insert($0.name).inserted }
    }
}
