/// The engine's half of a rollout: what each `RolloutMachine.Command` does on a platform.
/// Steps are idempotent where they can be; an error thrown by one fails the rollout.
public protocol RolloutSteps: Sendable {
    /// Makes and starts the new containers of a batch; the replicas that could not be made, with why.
    func replace(_ replicas: [Int]) async -> [Int: String]
    func conditions(_ replicas: [Int]) async -> [Int: RolloutMachine.Condition]
    func promote(_ replicas: [Int]) async throws
    /// Restores these replicas' previous containers and removes the new ones.
    func rollBack(_ replicas: [Int]) async throws
    /// The rollout is over (done or paused): the previous containers of these replicas go.
    func finish(_ replicas: [Int]) async throws
}

/// The clock a rollout reads and sleeps on: the continuous clock, or a test's own.
public struct RolloutClock: Sendable {
    public var now: @Sendable () -> Duration
    public var sleep: @Sendable (Duration) async throws -> Void
    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now; self.sleep = sleep
    }

    public static var live: RolloutClock {
        let start = ContinuousClock.now
        return RolloutClock(now: { ContinuousClock.now - start }, sleep: { try await Task.sleep(for: $0) })
    }
}

/// What a rollout did, for the journal, the log and the exit code.
public struct RolloutResult: Sendable, Equatable {
    public var proven: [Int] = []
    /// "replica 2: unhealthy: …", when a replica failed.
    public var failure: String?
    public var failedReplica: Int?
    /// Replicas restored to their previous containers.
    public var rolledBack: [Int] = []
    public var paused = false
    /// A rollback or a tidy-up that itself failed.
    public var stepError: String?
    public var succeeded: Bool { failure == nil && stepError == nil }
    public init() {}
}

/// What a rollout reports as it goes (journal records, log lines).
public enum RolloutEvent: Sendable, Equatable {
    case batch([Int])
    case proven([Int])
    case failed(replica: Int, reason: String)
    case rolledBack([Int])
    case paused([Int])
}

public enum RolloutRunner {
    /// Runs the machine to its end against `steps`.
    public static func run(replicas: [Int], policy: RolloutMachine.Policy, steps: some RolloutSteps, clock: RolloutClock,
                           onEvent: @Sendable (RolloutEvent) async -> Void = { _ in }) async -> RolloutResult {
        var machine = RolloutMachine(replicas: replicas, policy: policy)
        var result = RolloutResult()
        while true {
            let now = clock.now()
            switch machine.next(now: now) {
            case .replace(let batch):
                await onEvent(.batch(batch))
                let failures = await steps.replace(batch)
                if let (replica, reason) = failures.min(by: { $0.key < $1.key }) { machine.replaceFailed(replica, reason) }
            case .observe(let replicas):
                machine.observed(await steps.conditions(replicas), now: clock.now())
            case .wait(let until):
                // A cancelled rollout still ends by its failure path: nothing is left half-done.
                if until > now { try? await clock.sleep(until - now) }
            case .promote(let batch):
                do {
                    try await steps.promote(batch)
                    result.proven += batch
                    await onEvent(.proven(batch))
                } catch {
                    machine.replaceFailed(batch[0], "could not be put in service: \(error)")
                }
            case .rollBack(let replaced, let failed, let reason):
                result.failure = reason; result.failedReplica = failed
                await onEvent(.failed(replica: failed, reason: reason))
                do {
                    try await steps.rollBack(replaced)
                    result.rolledBack = replaced
                    await onEvent(.rolledBack(replaced))
                } catch {
                    result.stepError = "rolling back: \(error)"
                }
            case .pause(let replaced, let failed, let reason):
                result.failure = reason; result.failedReplica = failed; result.paused = true
                await onEvent(.failed(replica: failed, reason: reason))
                do { try await steps.finish(replaced) } catch { result.stepError = "pausing: \(error)" }
                await onEvent(.paused(replaced))
            case .finish(let replaced):
                do { try await steps.finish(replaced) } catch { result.stepError = "removing the previous containers: \(error)" }
            case .done:
                return result
            }
        }
    }
}
