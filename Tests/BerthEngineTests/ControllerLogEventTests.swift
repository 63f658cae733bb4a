@testable import BerthEngine
import BerthJournal
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// The controller's log lines carry fields (`--log-format json`): each action names its
/// target, kind, name, replica, op, reason, attempt and duration; failures their error.
@Suite(.timeLimit(.minutes(5)))
struct ControllerLogEventTests {
    /// Creates succeed, except for specs named "bad", which the engine cannot create.
    actor Platform: BerthEngine.Platform {
        nonisolated let target: TargetName = "docker"
        nonisolated let platform: PlatformID = "docker"
        var made: [ObservedResource] = []
        func observe(owner: String) async throws -> [ObservedResource] { made }
        func perform(_ action: Action, owner: String) async throws {
            if action.key.name == "bad" { throw BerthError(.engineError, "no such image: nope:1") }
            made.append(ObservedResource(id: action.key.name.rawValue, name: action.key.name, replica: action.key.replica,
                                         engineName: "o-\(action.key.name)", configHash: action.configHash, state: .running))
        }
    }

    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [LogEvent] = []
        func add(_ event: LogEvent) { lock.withLock { events.append(event) } }
        var all: [LogEvent] { lock.withLock { events } }
    }

    @Test func actionsRetriesAndFailuresCarryTheirFields() async throws {
        let dir = try TemporaryDirectory.make(named: "berth-log-events")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let heard = Heard()
        let journal = try Journal(path: dir + "/j.jsonl")
        journal.setRevision(JournalRevision(hash: "3f2a9c1d"))
        let controller = Controller(
            configuration: .init(owner: "o", workers: 1), platforms: [Platform()], journal: journal,
            load: { DesiredState(specs: [Spec(name: "web", image: "x:1"), Spec(name: "bad", image: "nope:1")]) },
            log: { heard.add($0) },
            sleeper: Sleeper(sleep: { _ in try await Task.sleep(for: .seconds(3600)) }, random: { 0.5 }))
        let workers = Task { await controller.runWorkers() }
        defer { workers.cancel() }
        await controller.enqueue(Controller.everything)
        #expect(await Poll.until(hangGuard: .seconds(30)) {
            heard.all.contains { $0.fields.event == "action" } && heard.all.contains { $0.fields.event == "retry" }
        })

        let done = try #require(heard.all.first { $0.fields.event == "action" })
        #expect(done.level == .info)
        #expect(done.message == "create docker container web #1: missing: ok")
        #expect(done.fields.target == "docker" && done.fields.kind == "container" && done.fields.name == "web" && done.fields.replica == 1)
        #expect(done.fields.op == "create" && done.fields.reason == "missing" && done.fields.attempt == 1)
        #expect(done.fields.durationMs.map { $0 >= 0 } == true && done.fields.error == nil)
        #expect(done.fields.revision == "3f2a9c1d")

        let failed = try #require(heard.all.first { $0.fields.event == "action-failed" })
        #expect(failed.level == .error && failed.fields.name == "bad" && failed.fields.op == "create")
        #expect(failed.fields.error?.contains("no such image: nope:1") == true)
        let retry = try #require(heard.all.first { $0.fields.event == "retry" })
        #expect(retry.level == .warning && retry.message.hasPrefix("docker/bad: 1 action failed; retrying in "))
        #expect(retry.fields.target == "docker" && retry.fields.name == "bad" && retry.fields.attempt == 1)
        #expect(retry.fields.error?.contains("no such image") == true)
    }

    @Test func plainLinesGetALevelFromTheirWording() {
        #expect(LogEvent.plain("specs changed: reconciling").level == .info)
        #expect(LogEvent.plain("cannot write the state folder: No space left on device").level == .error)
        #expect(LogEvent.plain("engine event stream lost: EOF; reconnecting").level == .warning)
        #expect(LogEvent.plain("image: pulling busybox:1").level == .debug)
        let literal: LogEvent = "kubernetes is unreachable (timeout); berth keeps running"
        #expect(literal.level == .warning && literal.fields == LogEvent.Fields())
    }
}
