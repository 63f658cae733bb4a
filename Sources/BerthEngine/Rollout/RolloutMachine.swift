/// A rollout of one spec's replicas, as a pure state machine: it says what to do next
/// (`Command`) and hears how it went; it never touches an engine and never reads a clock
/// (the caller passes `now`), so every path is a unit test with a made-up clock.
///
/// Replicas go in batches of `parallelism`. A new replica is proven when it turns healthy
/// (it has a health check) or stays running for `monitor` (it has none); the next batch
/// starts only then, after `delay`. A replica that fails stops the rollout: `rollback`
/// restores every replica replaced so far, `pause` leaves them as they are.
public struct RolloutMachine: Sendable, Equatable {
    public struct Policy: Sendable, Equatable {
        /// Replicas per batch; 0 takes them all at once, as Swarm's 0 does.
        public var parallelism: Int
        public var delay: Duration
        /// The new container runs beside the old one until proven (the old one keeps serving).
        public var startFirst: Bool
        /// false: `pause`.
        public var rollback: Bool
        public var monitor: Duration
        /// A replica with a health check still "starting" after this has failed.
        public var healthLimit: Duration
        /// How often the new replicas are looked at while they are proving.
        public var poll: Duration
        public init(parallelism: Int = 1, delay: Duration = .zero, startFirst: Bool = true, rollback: Bool = true,
                    monitor: Duration = .seconds(5), healthLimit: Duration = .seconds(120), poll: Duration = .milliseconds(500)) {
            self.parallelism = parallelism; self.delay = delay; self.startFirst = startFirst; self.rollback = rollback
            self.monitor = monitor; self.healthLimit = healthLimit; self.poll = poll
        }
    }

    /// How a new replica is doing, as the engine tells it.
    public enum Condition: Sendable, Equatable {
        /// Created, not running yet, or its health check has not answered yet.
        case starting
        /// Running, without a health check.
        case running
        case healthy
        /// Exited, restarted, unhealthy, or could not be made: the words say which.
        case failed(String)
    }

    public enum Command: Sendable, Equatable {
        /// Make and start the new containers of this batch (in the policy's order).
        case replace([Int])
        /// Tell `observed` how these new replicas are.
        case observe([Int])
        /// Wait until this instant of the caller's clock, then ask again.
        case wait(until: Duration)
        /// These are proven: they get their DNS names; with start-first the old ones now go.
        case promote([Int])
        /// A replica failed: restore `replaced` from their previous containers, remove the new ones.
        case rollBack(replaced: [Int], failed: Int, reason: String)
        /// A replica failed: leave everything as it is.
        case pause(replaced: [Int], failed: Int, reason: String)
        /// Every batch is proven: the previous containers can go.
        case finish(replaced: [Int])
        /// Nothing more to do.
        case done
    }

    enum Phase: Sendable, Equatable {
        case batch(Int)
        case proving(Int, since: Duration, observeNext: Bool)
        case promoting(Int)
        case between(Int, until: Duration)
        case failed(replica: Int, reason: String)
        case ending
        case over
    }

    public let policy: Policy
    public let batches: [[Int]]
    var phase: Phase
    /// Replicas whose old container was replaced (stopped or running beside a new one).
    public private(set) var replaced: [Int] = []
    public private(set) var proven: [Int] = []

    public init(replicas: [Int], policy: Policy) {
        self.policy = policy
        let size = policy.parallelism <= 0 ? max(1, replicas.count) : policy.parallelism
        batches = stride(from: 0, to: replicas.count, by: size).map { Array(replicas[$0..<min($0 + size, replicas.count)]) }
        phase = batches.isEmpty ? .ending : .batch(0)
    }

    /// What to do now; each command but `wait` and `observe` is reported done by calling `next` again.
    public mutating func next(now: Duration) -> Command {
        switch phase {
        case .batch(let index):
            replaced += batches[index]
            phase = .proving(index, since: now, observeNext: true)
            return .replace(batches[index])
        case .proving(let index, let since, let observeNext):
            let waiting = batches[index].filter { !proven.contains($0) }
            if waiting.isEmpty {
                phase = .promoting(index)
                return .promote(batches[index])
            }
            if observeNext {
                phase = .proving(index, since: since, observeNext: false)
                return .observe(waiting)
            }
            phase = .proving(index, since: since, observeNext: true)
            return .wait(until: now + policy.poll)
        case .promoting(let index):
            if index + 1 == batches.count {
                phase = .ending
                return next(now: now)
            }
            phase = .between(index + 1, until: now + policy.delay)
            return policy.delay > .zero ? .wait(until: now + policy.delay) : next(now: now)
        case .between(let index, let until):
            if now < until { return .wait(until: until) }
            phase = .batch(index)
            return next(now: now)
        case .failed(let replica, let reason):
            phase = .over
            return policy.rollback ? .rollBack(replaced: replaced, failed: replica, reason: reason)
                : .pause(replaced: replaced, failed: replica, reason: reason)
        case .ending:
            phase = .over
            return .finish(replaced: replaced)
        case .over:
            return .done
        }
    }

    /// The engine's answer to `observe`, at `now`.
    public mutating func observed(_ conditions: [Int: Condition], now: Duration) {
        guard case .proving(let index, let since, _) = phase else { return }
        let elapsed = now - since
        for replica in batches[index] where !proven.contains(replica) {
            switch conditions[replica] ?? .starting {
            case .healthy:
                proven.append(replica)
            case .running:
                if elapsed >= policy.monitor { proven.append(replica) }
            case .starting:
                // Without a check, "starting" means not running yet; either way it has a limit.
                if elapsed >= max(policy.healthLimit, policy.monitor) {
                    fail(replica, "not healthy after \(Int(elapsed.components.seconds)) s")
                    return
                }
            case .failed(let reason):
                fail(replica, reason)
                return
            }
        }
    }

    /// The batch's replace step failed for this replica (the engine refused the new container).
    public mutating func replaceFailed(_ replica: Int, _ reason: String) {
        fail(replica, reason)
    }

    mutating func fail(_ replica: Int, _ reason: String) {
        phase = .failed(replica: replica, reason: "replica \(replica): \(reason)")
    }

    /// Over, and how: nil while it runs.
    public var isOver: Bool { phase == .over }
}
