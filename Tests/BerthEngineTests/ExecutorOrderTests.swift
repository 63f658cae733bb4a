@testable import BerthEngine
@testable import BerthJournal
import BerthModel
import Foundation
import Testing

/// A platform whose readiness is scripted, and that keeps one timeline of what it did and
/// was asked, so a test can say what came before what.
actor ReadyPlatform: Platform, ReadinessCheck {
    nonisolated let target: TargetName
    nonisolated let platform: PlatformID = "docker"
    init(target: TargetName = "docker") { self.target = target }
    var timeline: [String] = []
    var answers: [String: [Readiness]] = [:]
    var failing: Set<String> = []
    /// Ready only once this action was performed (on any platform sharing the log).
    var readyAfter: [String: String] = [:]

    func answer(_ name: String, _ list: [Readiness]) { answers[name] = list }
    func fail(_ name: String) { failing.insert(name) }
    func ready(_ name: String, after action: String) { readyAfter[name] = action }

    func observe(owner: String) async throws -> [ObservedResource] { [] }

    func perform(_ action: Action, owner: String) async throws {
        try await Task.sleep(for: .milliseconds(2))
        timeline.append("\(action.op.rawValue) \(action.key.name)")
        if failing.contains(action.key.name.rawValue) {
            throw BerthError(.engineError, "creating \(action.key.name)", cause: "engine answered 400: no such image", isRetryable: false, status: 400)
        }
    }

    func readiness(of spec: Spec, owner: String) async throws -> Readiness {
        if let action = readyAfter[spec.name.rawValue] {
            guard timeline.contains(action) else { return .waiting("waiting for \(action)") }
            timeline.append("ready \(spec.name)")
            return .ready("1/1")
        }
        var list = answers[spec.name.rawValue] ?? []
        let next = list.isEmpty ? .ready("1/1") : list.removeFirst()
        if list.isEmpty, case .waiting = next { list = [next] }
        answers[spec.name.rawValue] = list
        if case .ready = next { timeline.append("ready \(spec.name)") }
        return next
    }
}


struct ExecutorOrderTests {
    static func create(_ name: String, target: TargetName = "docker", after: [SpecKey] = []) -> Action {
        var action = Action(op: .create, key: .container(target, SpecName(name), replica: 1), reason: "missing",
                            spec: Spec(name: SpecName(name), target: target, image: "x:1"), configHash: "h")
        action.after = after
        return action
    }

    static func key(_ name: String, _ target: TargetName = "docker") -> SpecKey { SpecKey(target: target, name: SpecName(name)) }
    /// A millisecond for each wait asked for: the readiness bound is counted in the waits asked for.
    static let instant = Sleeper(sleep: { _ in try await Task.sleep(for: .milliseconds(1)) }, random: { 0.5 })

    @Test func aDependentIsCreatedOnlyOnceItsDependencyIsReady() async {
        let platform = ReadyPlatform()
        await platform.answer("db", [.waiting("starting"), .waiting("starting"), .ready("1/1")])
        let plan = Plan(actions: [Self.create("db"), Self.create("web", after: [Self.key("db")])])
        let outcomes = await Executor(platforms: [platform], journal: nil, sleeper: Self.instant).execute(plan, owner: "o")
        #expect(outcomes.allSatisfy { $0.succeeded })
        #expect(await platform.timeline == ["create db", "ready db", "create web"])
    }

    /// With one slot, a dependent waiting for its dependency's readiness lets the next action
    /// through: `x` is created while `web` waits, and `db` turns ready only after that.
    @Test func aWaitingDependentHoldsNoSlot() async {
        let platform = ReadyPlatform()
        await platform.ready("db", after: "create x")
        let plan = Plan(actions: [Self.create("db"), Self.create("web", after: [Self.key("db")]), Self.create("x")])
        let outcomes = await Executor(platforms: [platform], journal: nil, parallel: 1, sleeper: Self.instant).execute(plan, owner: "o")
        #expect(outcomes.map(\.succeeded) == [true, true, true])
        #expect(await platform.timeline == ["create db", "create x", "ready db", "create web"])
    }

    @Test func dependentsOfAFailureAreNotTriedAndSayWhy() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("berth-order-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("journal.jsonl").path
        let platform = ReadyPlatform()
        await platform.fail("db")
        let plan = Plan(actions: [Self.create("api", after: [Self.key("db")]), Self.create("db"),
                                  Self.create("web", after: [Self.key("api")]), Self.create("x")])
        let events = Events()
        let outcomes = await Executor(platforms: [platform], journal: try Journal(path: path), sleeper: Self.instant,
                                      onEvent: { events.add($0) }).execute(plan, owner: "o")
        #expect(await platform.timeline == ["create db", "create x"])
        #expect(outcomes[0].error?.hasPrefix("not tried: dependency db failed: ") == true)
        #expect(outcomes[0].error?.contains("no such image") == true)
        #expect(outcomes[0].dependency == Self.key("db"))
        #expect(outcomes[2].error?.hasPrefix("not tried: dependency api failed: not tried: dependency db failed") == true)
        #expect(outcomes[3].succeeded)
        let skipped = try JournalReader.read(path: path).records.filter { $0.event == "action-skipped" }
        #expect(skipped.map(\.name) == ["api", "web"])
        #expect(events.failed.sorted() == ["api", "db", "web"])
        #expect(events.waiting.sorted() == ["api", "web"])
    }

    @Test func aDependencyThatNeverTurnsReadyFailsItsDependentsWithItsLastWord() async {
        let platform = ReadyPlatform()
        await platform.answer("db", [.waiting("0/1 replicas ready; main-db-1 is starting; last check (exit 1): connection refused")])
        let plan = Plan(actions: [Self.create("db"), Self.create("web", after: [Self.key("db")])])
        let outcomes = await Executor(platforms: [platform], journal: nil, sleeper: Self.instant).execute(plan, owner: "o")
        #expect(outcomes[0].succeeded)
        #expect(outcomes[1].error == "not tried: dependency db did not become ready: docker/db not ready after 120 s: 0/1 replicas ready; main-db-1 is starting; last check (exit 1): connection refused")
        #expect(await platform.timeline == ["create db"])
    }

    @Test func anUnhealthyDependencyFailsItsDependentsAtOnce() async {
        let platform = ReadyPlatform()
        await platform.answer("db", [.waiting("starting"), .failed("container main-db-1 is unhealthy; last check (exit 1): nope")])
        let plan = Plan(actions: [Self.create("db"), Self.create("web", after: [Self.key("db")])])
        let outcomes = await Executor(platforms: [platform], journal: nil, sleeper: Self.instant).execute(plan, owner: "o")
        #expect(outcomes[1].error == "not tried: dependency db did not become ready: docker/db will not become ready: container main-db-1 is unhealthy; last check (exit 1): nope")
    }

    /// A container waiting for a dependency on another target (a cluster's Deployment).
    @Test func dependenciesAcrossTargets() async {
        let docker = ReadyPlatform(), cluster = ReadyPlatform(target: "cluster")
        await cluster.answer("queue", [.waiting("1/2 updated"), .ready("complete")])
        let plan = Plan(actions: [Self.create("web", after: [Self.key("queue", "cluster")]), Self.create("queue", target: "cluster")])
        let outcomes = await Executor(platforms: [docker, cluster], journal: nil, sleeper: Self.instant).execute(plan, owner: "o")
        #expect(outcomes.allSatisfy { $0.succeeded })
        #expect(await cluster.timeline == ["create queue", "ready queue"])
        #expect(await docker.timeline == ["create web"])
    }

    /// A dependency with nothing to do in this plan is not waited for.
    @Test func aDependencyWithoutActionsIsNotWaitedFor() async {
        let platform = ReadyPlatform()
        await platform.answer("db", [.waiting("never")])
        let plan = Plan(actions: [Self.create("web", after: [Self.key("db")])])
        let outcomes = await Executor(platforms: [platform], journal: nil, sleeper: Self.instant).execute(plan, owner: "o")
        #expect(outcomes[0].succeeded)
    }
}

final class Events: @unchecked Sendable {
    private let lock = NSLock()
    private var names: [String] = []
    private var held: [String] = []
    var failed: [String] { lock.withLock { names } }
    var waiting: [String] { lock.withLock { held } }
    func add(_ event: Executor.Event) {
        if case .failed(let action, _) = event { lock.withLock { names.append(action.key.name.rawValue) } }
        if case .waiting(let action, _) = event { lock.withLock { held.append(action.key.name.rawValue) } }
    }
}
