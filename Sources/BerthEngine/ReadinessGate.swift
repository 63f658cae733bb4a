import BerthModel

/// Whether a spec's workload is ready for its dependents: Docker replicas running (and healthy
/// where they have a health check), Swarm tasks converged, a Kubernetes rollout complete.
public enum Readiness: Sendable, Equatable {
    case ready(String)
    /// Not yet; the text says where it stands (the last health check's output, say).
    case waiting(String)
    /// Never will be without a change (the container exited, Swarm rolled back).
    case failed(String)
}

/// Platforms that can say whether a spec's workload is ready. One that cannot is taken as
/// ready once its actions succeeded.
public protocol ReadinessCheck: Sendable {
    func readiness(of spec: Spec, owner: String) async throws -> Readiness
}

/// Waits until a dependency is ready, for at most `bound`: a dependent is created or replaced
/// only after that. The bound is fixed (120 s); a dependency that is not ready by then fails
/// its dependents with the last thing its platform said.
public struct ReadinessGate: Sendable {
    public static let bound: Duration = .seconds(120)
    public static let interval: Duration = .milliseconds(500)
    let sleeper: Sleeper
    let bound: Duration

    public init(sleeper: Sleeper = .live, bound: Duration = ReadinessGate.bound) { self.sleeper = sleeper; self.bound = bound }

    /// Nil once `spec` is ready; else why it is not, naming it.
    public func wait(for spec: Spec, on platform: any Platform, owner: String) async -> String? {
        guard let check = platform as? any ReadinessCheck else { return nil }
        let started = ContinuousClock.now
        // Time is what was slept or what passed, whichever is more: a test's sleeper returns
        // at once, and the bound still ends the wait.
        var slept: Duration = .zero
        var last = "no answer yet"
        while true {
            do {
                switch try await check.readiness(of: spec, owner: owner) {
                case .ready: return nil
                case .failed(let why): return "\(spec.key) will not become ready: \(why)"
                case .waiting(let text): last = text
                }
            } catch {
                // A failed read is not a failed dependency: look again until the bound.
                last = "cannot tell: \(error)"
            }
            if Task.isCancelled { return "\(spec.key): cancelled while waiting for it to be ready (\(last))" }
            if max(slept, ContinuousClock.now - started) >= bound {
                return "\(spec.key) not ready after \(Int(bound.components.seconds)) s: \(last)"
            }
            do { try await sleeper.sleep(ReadinessGate.interval) } catch {
                return "\(spec.key): cancelled while waiting for it to be ready (\(last))"
            }
            slept += ReadinessGate.interval
        }
    }
}
