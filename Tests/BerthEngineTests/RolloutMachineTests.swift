@testable import BerthEngine
import Synchronization
import Testing

/// A clock that only moves when the rollout sleeps: a 20 s monitor takes no time.
final class ManualClock: Sendable {
    let time = Mutex<Duration>(.zero)
    var rollout: RolloutClock {
        RolloutClock(now: { self.time.withLock { $0 } }, sleep: { step in self.time.withLock { $0 += step } })
    }
}

/// Steps that record what they were told and answer conditions from a script: replica,
/// time since its batch was replaced -> condition.
actor ScriptedSteps: RolloutSteps {
    let clock: ManualClock
    let script: @Sendable (Int, Duration) -> RolloutMachine.Condition
    var calls: [String] = []
    var startedAt: [Int: Duration] = [:]
    var refuse: Set<Int> = []

    init(clock: ManualClock, refuse: Set<Int> = [], script: @escaping @Sendable (Int, Duration) -> RolloutMachine.Condition) {
        self.clock = clock; self.script = script; self.refuse = refuse
    }

    func replace(_ replicas: [Int]) async -> [Int: String] {
        calls.append("replace \(replicas) at \(clock.time.withLock { $0 })")
        for replica in replicas { startedAt[replica] = clock.time.withLock { $0 } }
        return Dictionary(uniqueKeysWithValues: replicas.filter(refuse.contains).map { ($0, "refused") })
    }
    func conditions(_ replicas: [Int]) async -> [Int: RolloutMachine.Condition] {
        let now = clock.time.withLock { $0 }
        return Dictionary(uniqueKeysWithValues: replicas.map { ($0, script($0, now - startedAt[$0]!)) })
    }
    func promote(_ replicas: [Int]) async throws { calls.append("promote \(replicas)") }
    func rollBack(_ replicas: [Int]) async throws { calls.append("roll back \(replicas)") }
    func finish(_ replicas: [Int]) async throws { calls.append("finish \(replicas)") }
}

@Suite struct RolloutMachineTests {
    func run(_ replicas: [Int], _ policy: RolloutMachine.Policy, refuse: Set<Int> = [],
             script: @escaping @Sendable (Int, Duration) -> RolloutMachine.Condition) async -> (RolloutResult, [String]) {
        let clock = ManualClock()
        let steps = ScriptedSteps(clock: clock, refuse: refuse, script: script)
        let result = await RolloutRunner.run(replicas: replicas, policy: policy, steps: steps, clock: clock.rollout)
        return (result, await steps.calls)
    }

    @Test func batchesOfParallelismEachProvenBeforeTheNextAfterTheDelay() async {
        let policy = RolloutMachine.Policy(parallelism: 2, delay: .seconds(3), monitor: .seconds(5), poll: .seconds(1))
        let (result, calls) = await run([1, 2, 3, 4, 5], policy) { _, _ in .healthy }
        #expect(result.succeeded)
        #expect(result.proven == [1, 2, 3, 4, 5])
        #expect(calls == ["replace [1, 2] at 0.0 seconds", "promote [1, 2]",
                          "replace [3, 4] at 3.0 seconds", "promote [3, 4]",
                          "replace [5] at 6.0 seconds", "promote [5]", "finish [1, 2, 3, 4, 5]"])
    }

    @Test func withoutAHealthCheckAReplicaMustStayRunningForTheMonitor() async {
        let policy = RolloutMachine.Policy(parallelism: 1, monitor: .seconds(20), poll: .seconds(1))
        let (result, calls) = await run([1, 2], policy) { _, _ in .running }
        #expect(result.succeeded)
        // The second batch starts only once the first has run for 20 s.
        #expect(calls == ["replace [1] at 0.0 seconds", "promote [1]", "replace [2] at 20.0 seconds", "promote [2]", "finish [1, 2]"])
    }

    @Test func aReplicaThatExitsWithinTheMonitorFailsTheRollout() async {
        let policy = RolloutMachine.Policy(parallelism: 1, monitor: .seconds(20), poll: .seconds(1))
        let (result, calls) = await run([1, 2, 3], policy) { replica, since in
            replica == 2 && since >= .seconds(7) ? .failed("exited with code 1") : .running
        }
        #expect(result.failure == "replica 2: exited with code 1")
        #expect(result.failedReplica == 2)
        #expect(result.rolledBack == [1, 2])
        #expect(calls == ["replace [1] at 0.0 seconds", "promote [1]", "replace [2] at 20.0 seconds", "roll back [1, 2]"])
    }

    @Test func anUnhealthyFirstBatchIsRolledBackAndNothingElseIsTouched() async {
        let policy = RolloutMachine.Policy(parallelism: 1, poll: .seconds(1))
        let (result, calls) = await run([1, 2, 3, 4], policy) { _, since in since < .seconds(4) ? .starting : .failed("unhealthy: refused") }
        #expect(result.failure == "replica 1: unhealthy: refused")
        #expect(result.proven == [])
        #expect(result.rolledBack == [1])
        #expect(calls == ["replace [1] at 0.0 seconds", "roll back [1]"])
    }

    @Test func pauseKeepsWhatWasReplacedAndEndsTheRollout() async {
        let policy = RolloutMachine.Policy(parallelism: 1, rollback: false, poll: .seconds(1))
        let (result, calls) = await run([1, 2, 3], policy) { replica, _ in replica == 2 ? .failed("unhealthy") : .healthy }
        #expect(result.paused)
        #expect(result.rolledBack == [])
        #expect(result.proven == [1])
        #expect(calls == ["replace [1] at 0.0 seconds", "promote [1]", "replace [2] at 0.0 seconds", "finish [1, 2]"])
    }

    @Test func oneReplicaStartFirstThatNeverTurnsHealthyFailsAtTheLimit() async {
        let policy = RolloutMachine.Policy(parallelism: 1, startFirst: true, monitor: .seconds(5), healthLimit: .seconds(30), poll: .seconds(2))
        let (result, calls) = await run([1], policy) { _, _ in .starting }
        #expect(result.failure == "replica 1: not healthy after 30 s")
        // Never promoted: the old container was never touched; the rollback removes the new one.
        #expect(calls == ["replace [1] at 0.0 seconds", "roll back [1]"])
    }

    @Test func aBatchTheEngineRefusesFailsAtOnce() async {
        let policy = RolloutMachine.Policy(parallelism: 2)
        let (result, calls) = await run([1, 2, 3, 4], policy, refuse: [2]) { _, _ in .healthy }
        #expect(result.failure == "replica 2: refused")
        #expect(calls == ["replace [1, 2] at 0.0 seconds", "roll back [1, 2]"])
    }

    @Test func parallelismZeroIsOneBatch() {
        let machine = RolloutMachine(replicas: [1, 2, 3], policy: RolloutMachine.Policy(parallelism: 0))
        #expect(machine.batches == [[1, 2, 3]])
    }
}
