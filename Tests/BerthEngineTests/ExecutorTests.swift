@testable import BerthEngine
@testable import BerthJournal
import BerthModel
import Foundation
import Testing
import BerthTestSupport

/// A platform that records what it was asked and fails on demand.
actor RecordingPlatform: Platform {
    nonisolated let target: TargetName
    nonisolated let platform: PlatformID = "docker"
    init(target: TargetName = "docker") { self.target = target }
    var performed: [String] = []
    var failures: [String: [BerthError]] = [:]
    var running = 0
    var maxRunning = 0

    func failNext(_ name: String, _ errors: [BerthError]) { failures[name] = errors }

    func observe(owner: String) async throws -> [ObservedResource] { [] }

    func perform(_ action: Action, owner: String) async throws {
        running += 1
        maxRunning = max(maxRunning, running)
        defer { running -= 1 }
        // The work takes a moment, so that parallel actions overlap.
        try await ScenarioTime.pass(.milliseconds(5))
        performed.append("\(action.op.rawValue) \(action.key.name)")
        if var queue = failures[action.key.name.rawValue], !queue.isEmpty {
            let error = queue.removeFirst()
            failures[action.key.name.rawValue] = queue
            throw error
        }
    }
}

/// Records the delays asked for instead of sleeping.
final class FakeClock: @unchecked Sendable {
    private let lock = NSLock()
    private var slept: [Duration] = []
    var delays: [Duration] { lock.withLock { slept } }
    var sleeper: Sleeper {
        Sleeper(sleep: { [self] d in lock.withLock { slept.append(d) } }, random: { 0.5 })
    }
}

struct ExecutorTests {
    static func plan(_ names: [String]) -> Plan {
        Plan(actions: names.map {
            Action(op: .create, key: ResourceKey.container("docker", SpecName($0), replica: 1), reason: "missing",
                   spec: Spec(name: SpecName($0), image: "x:1"), configHash: "h")
        })
    }

    static let transient = BerthError(.engineError, "creating", cause: "engine answered 503", isRetryable: true, status: 503)
    static let permanent = BerthError(.engineError, "creating", cause: "engine answered 400: bad", isRetryable: false, status: 400)

    @Test func transientFailuresAreRetriedWithBackoff() async {
        let platform = RecordingPlatform()
        await platform.failNext("a", [Self.transient, Self.transient])
        let clock = FakeClock()
        let executor = Executor(platforms: [platform], journal: nil, retry: RetryPolicy(base: .seconds(1), cap: .seconds(300), maxAttempts: 4), sleeper: clock.sleeper)
        let outcomes = await executor.execute(Self.plan(["a"]), owner: "o")
        #expect(outcomes.first?.succeeded == true)
        #expect(outcomes.first?.attempts == 3)
        // base 1 s doubling, times the jitter factor 0.75 for random 0.5.
        #expect(clock.delays == [.milliseconds(750), .milliseconds(1500)])
    }

    @Test func clientErrorsAreNotRetried() async {
        let platform = RecordingPlatform()
        await platform.failNext("a", [Self.permanent])
        let clock = FakeClock()
        let outcomes = await Executor(platforms: [platform], journal: nil, sleeper: clock.sleeper).execute(Self.plan(["a"]), owner: "o")
        #expect(outcomes.first?.succeeded == false)
        #expect(outcomes.first?.attempts == 1)
        #expect(clock.delays.isEmpty)
    }

    /// 400 and 422 are refusals: one attempt however many are allowed, reported with the
    /// spec's file and line. 404 and 409 (races with the engine's own state, such as a
    /// container removed while it is started), 429 and 403 (a rate limit, credentials) are not.
    @Test(arguments: [(400, true), (404, false), (409, false), (422, true), (429, false), (403, false)])
    func refusalsAreNotRetriedAndNameTheSpec(_ status: Int, _ refusal: Bool) async {
        let platform = RecordingPlatform()
        let error = BerthError(.engineError, "creating container o-a-1", cause: "engine answered \(status): no", isRetryable: status == 429, status: status)
        await platform.failNext("a", [error])
        var plan = Self.plan(["a"])
        plan.actions[0].spec?.origin = SpecOrigin(file: "specs/a.json", path: .root, position: JSONPosition(line: 3, column: 5))
        let clock = FakeClock()
        let outcomes = await Executor(platforms: [platform], journal: nil, retry: RetryPolicy(maxAttempts: 4), sleeper: clock.sleeper)
            .execute(plan, owner: "o")
        #expect(outcomes.first?.refused == refusal)
        if refusal {
            #expect(outcomes.first?.attempts == 1)
            #expect(clock.delays.isEmpty)
            #expect(outcomes.first?.error == "specs/a.json:3:5: the engine refused it (HTTP \(status), not retried): creating container o-a-1: engine answered \(status): no")
        }
    }

    @Test func retriesStopAtTheLimit() async {
        let platform = RecordingPlatform()
        await platform.failNext("a", Array(repeating: Self.transient, count: 10))
        let clock = FakeClock()
        let outcomes = await Executor(platforms: [platform], journal: nil, retry: RetryPolicy(maxAttempts: 3), sleeper: clock.sleeper)
            .execute(Self.plan(["a"]), owner: "o")
        #expect(outcomes.first?.attempts == 3 && outcomes.first?.succeeded == false)
        #expect(clock.delays.count == 2)
    }

    @Test func oneFailureNeverStopsTheOthers() async {
        let platform = RecordingPlatform()
        await platform.failNext("b", [Self.permanent])
        let outcomes = await Executor(platforms: [platform], journal: nil, sleeper: FakeClock().sleeper)
            .execute(Self.plan(["a", "b", "c"]), owner: "o")
        #expect(outcomes.map(\.succeeded) == [true, false, true])
        #expect(await platform.performed.sorted() == ["create a", "create b", "create c"])
    }

    /// A connect that fails before a byte is sent is one failure, not a retry per action: the
    /// target's other actions are not tried, and say why.
    @Test func anUnreachableEngineEndsItsActionsAtOnce() async {
        let platform = RecordingPlatform()
        let gone = BerthError(.engineUnreachable, "creating container at unix:///run/x.sock",
                              cause: "the socket does not exist (is the engine running?)", isRetryable: true)
        await platform.failNext("a", [gone])
        let clock = FakeClock()
        let outcomes = await Executor(platforms: [platform], journal: nil, parallel: 1, sleeper: clock.sleeper)
            .execute(Self.plan(["a", "b", "c"]), owner: "o")
        #expect(clock.delays.isEmpty)
        #expect(await platform.performed == ["create a"])
        #expect(outcomes.map(\.attempts) == [1, 0, 0])
        #expect(outcomes.map(\.notAttempted) == [false, true, true])
        #expect(outcomes[1].error == "not tried: creating container at unix:///run/x.sock: the socket does not exist (is the engine running?)")
    }

    @Test func parallelismIsBounded() async {
        let platform = RecordingPlatform()
        let names = (1...20).map { "s\($0)" }
        _ = await Executor(platforms: [platform], journal: nil, parallel: 3, sleeper: FakeClock().sleeper)
            .execute(Self.plan(names), owner: "o")
        #expect(await platform.maxRunning == 3)
        #expect(await platform.performed.count == 20)
    }

    /// The bound is per target: two engines each get their own three at once, so many targets
    /// are applied side by side and no target's actions wait behind another's.
    @Test func parallelismIsBoundedPerTarget() async {
        let edge1 = RecordingPlatform(target: "edge-1"), edge2 = RecordingPlatform(target: "edge-2")
        let actions = (1...10).flatMap { n in
            ["edge-1", "edge-2"].map { target in
                Action(op: .create, key: ResourceKey.container(TargetName(target), "s\(n)", replica: 1), reason: "missing",
                       spec: Spec(name: "s\(n)", target: TargetName(target), platform: .docker, image: "x:1"), configHash: "h")
            }
        }
        _ = await Executor(platforms: [edge1, edge2], journal: nil, parallel: 3, sleeper: FakeClock().sleeper)
            .execute(Plan(actions: actions), owner: "o")
        #expect(await edge1.maxRunning == 3)
        #expect(await edge2.maxRunning == 3)
        #expect(await edge1.performed.count == 10)
        #expect(await edge2.performed.count == 10)
    }

    @Test func backoffIsCappedAndJittered() {
        let policy = RetryPolicy(base: .seconds(1), cap: .seconds(300))
        #expect(policy.delay(after: 1, random: 0) == .milliseconds(500))
        #expect(policy.delay(after: 3, random: 0.999999).components.seconds == 3)
        #expect(policy.delay(after: 20, random: 1) == .seconds(300))
    }

    @Test func nothingIsDoneWithoutAJournalRecord() async throws {
        let journal = try Journal(path: "/dev/full")
        let platform = RecordingPlatform()
        let outcomes = await Executor(platforms: [platform], journal: journal, sleeper: FakeClock().sleeper)
            .execute(Self.plan(["a"]), owner: "o")
        #expect(outcomes.first?.succeeded == false)
        #expect(outcomes.first?.error?.contains("journal cannot be written") == true)
        #expect(await platform.performed.isEmpty)
    }

    @Test func noActionStartsOnceTheJournalFailedToRecordOne() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-exec-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        // The first action-start is cut short (a disk filling up); later, smaller writes could
        // still fit, which must not let the actions after it go ahead.
        let journal = try Journal(path: path, write: DiskFillingUp(after: 10).write)
        let platform = RecordingPlatform()
        let outcomes = await Executor(platforms: [platform], journal: journal, parallel: 1, sleeper: FakeClock().sleeper)
            .execute(Self.plan(["a", "b", "c"]), owner: "o")
        #expect(await platform.performed == [])
        #expect(outcomes.allSatisfy { $0.error?.contains("journal cannot be written") == true })
        #expect(try JournalReader.read(path: path).records.filter { $0.event == "action-start" }.isEmpty)
    }

    @Test func journalGetsStartAndOutcomeWithoutSecrets() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        let journal = try Journal(path: path)
        let platform = RecordingPlatform()
        await platform.failNext("a", [Self.transient])
        var plan = Self.plan(["a"])
        plan.actions[0].spec?.env = ["DB_PASSWORD": "hunter2"]
        _ = await Executor(platforms: [platform], journal: journal, sleeper: FakeClock().sleeper).execute(plan, owner: "o")
        let records = try JournalReader.read(path: path).records
        #expect(records.map(\.event) == ["action-start", "action-retry", "action-start", "action-ok"])
        #expect(records[1].error?.contains("503") == true)
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("hunter2"))
    }
}

struct CrashLoopWaitTests {
    @Test func crashLoopWaitsDoubleWithoutJitterAndCapAtFiveMinutes() {
        #expect((1...10).map { Controller.crashWait($0) } == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300].map { Duration.seconds($0) })
    }
}

/// A disk that fills up during the first write: it stores `count` bytes, the rest fails with
/// EIO, and later writes go through. Given to the journal as its `write` from outside.
final class DiskFillingUp: @unchecked Sendable {
    private let lock = NSLock()
    private var steps: [Int]

    init(after count: Int) { steps = [count, 0] }

    var write: JournalWrite {
        JournalWrite { [self] fd, bytes in
            switch lock.withLock({ steps.isEmpty ? nil : steps.removeFirst() }) {
            case nil: return JournalWrite.system.call(fd, bytes)
            case 0?: errno = EIO; return -1
            case let limit?: return JournalWrite.system.call(fd, UnsafeRawBufferPointer(rebasing: bytes.prefix(limit)))
            }
        }
    }
}
