@testable import BerthEngine
import BerthJournal
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// `watch --delete-after`: a spec whose file disappears is deleted only once it has stayed
/// gone that long (issue 12: `mv a.json ..; sleep 1; mv ../a.json .` deleted and recreated
/// the container). The clock is injected; wake-ups come from the test's own enqueues.
@Suite(.timeLimit(.minutes(2)))
struct ControllerDeleteAfterTests {
    /// Containers in memory; a delete can be held open to model one still running.
    actor MemoryPlatform: Platform {
        nonisolated let target: TargetName = "docker"
        nonisolated let platform: PlatformID = "docker"
        var containers: [String: ObservedResource] = [:]
        var deletes = 0
        var creates = 0
        var holdDeletes = false
        var deleting = false

        func observe(owner: String) async throws -> [ObservedResource] { containers.values.sorted { $0.id < $1.id } }

        func perform(_ action: Action, owner: String) async throws {
            let id = "\(action.key.name)-\(action.key.replica ?? 1)"
            switch action.op {
            case .create:
                creates += 1
                containers[id] = ObservedResource(id: id, name: action.key.name, replica: action.key.replica, engineName: "o-\(id)",
                                                  configHash: action.configHash, state: .running)
            case .delete:
                deleting = true
                while holdDeletes { try await Task.sleep(for: .milliseconds(5)) }
                deletes += 1
                containers[id] = nil
                deleting = false
            default: throw BerthError(.unsupported, "\(action.op)")
            }
        }
        func setHoldDeletes(_ value: Bool) { holdDeletes = value }
    }

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now = ContinuousClock.now
        func read() -> ContinuousClock.Instant { lock.withLock { now } }
        func advance(_ d: Duration) { lock.withLock { now = now + d } }
    }

    /// The spec folder: web is there or not.
    final class Folder: @unchecked Sendable {
        private let lock = NSLock()
        private var present = true
        func set(_ value: Bool) { lock.withLock { present = value } }
        var state: DesiredState { lock.withLock { DesiredState(specs: present ? [Spec(name: "web", image: "x:1")] : []) } }
    }

    final class Heard: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var reports: [StatusReport] = []
        func log(_ line: String) { lock.withLock { lines.append(line) } }
        func status(_ report: StatusReport) { lock.withLock { reports.append(report) } }
        var all: [String] { lock.withLock { lines } }
        var passes: Int { lock.withLock { reports.count } }
        var lastNotes: [String] { lock.withLock { reports.last?.notes ?? [] } }
    }

    struct Scene {
        let dir: String
        let platform = MemoryPlatform(), clock = Clock(), folder = Folder(), heard = Heard()
        let controller: Controller
        let workers: Task<Void, Never>

        init(deleteAfter: Duration) throws {
            dir = try TemporaryDirectory.make(named: "berth-delete-after")
            // The only spec's removal is a mass deletion; the guard is not what these tests are about.
            var configuration = Controller.Configuration(owner: "o", allowMassDelete: true, workers: 2)
            configuration.deleteAfter = deleteAfter
            let (folder, clock, heard) = (self.folder, self.clock, self.heard)
            // Sleeps (scheduled wake-ups, retries) last until the test ends: only the test's
            // own enqueues bring a key back, after it moved the clock.
            controller = Controller(
                configuration: configuration, platforms: [platform], journal: try Journal(path: dir + "/j.jsonl"),
                load: { folder.state }, log: { heard.log($0.message) },
                sleeper: Sleeper(sleep: { _ in try await Task.sleep(for: .seconds(3600)) }, random: { 0.5 }), now: { clock.read() })
            let controller = self.controller
            workers = Task { await controller.runWorkers() }
        }

        func start() async {
            await controller.setStatusHandler { [heard] in heard.status($0) }
            await controller.enqueue(Controller.everything)
            #expect(await Poll.until(hangGuard: .seconds(60)) { await platform.containers.count == 1 })
        }

        /// Runs a pass for `key` and waits until it (and any pass it queued) has finished.
        func pass(_ key: String) async {
            let before = heard.passes
            await controller.enqueue(key)
            #expect(await Poll.until(hangGuard: .seconds(60)) { heard.passes > before })
            #expect(await Poll.until(hangGuard: .seconds(60)) {
                let waiting = await controller.queue.count, idle = await controller.queue.idleWorkers
                return waiting == 0 && idle == 2
            })
        }

        func remove() {
            workers.cancel()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func aFileBackWithinTheDelayDeletesNothing() async throws {
        let scene = try Scene(deleteAfter: .seconds(5))
        defer { scene.remove() }
        await scene.start()

        scene.folder.set(false)
        await scene.pass(Controller.everything)
        #expect(await Poll.until(hangGuard: .seconds(60)) { scene.heard.all.contains { $0.hasPrefix("deletion of web waits until ") } })
        let line = scene.heard.all.first { $0.hasPrefix("deletion of web waits until ") } ?? ""
        #expect(line.hasSuffix(" (file gone; --delete-after 5s)"), "\(line)")
        #expect(scene.heard.lastNotes.contains(line), "status says so while it waits")

        scene.clock.advance(.seconds(2))
        scene.folder.set(true)
        await scene.pass(Controller.everything)
        #expect(scene.heard.all.contains("web is back before --delete-after ran out: nothing is deleted"))
        // Long past the delay, the key's wake-up comes: nothing is left to delete.
        scene.clock.advance(.seconds(10))
        await scene.pass("docker/web")
        #expect(await scene.platform.deletes == 0)
        #expect(await scene.platform.creates == 1)
        #expect(!scene.heard.lastNotes.contains(line))
    }

    @Test func aFileGoneLongEnoughIsDeleted() async throws {
        let scene = try Scene(deleteAfter: .seconds(5))
        defer { scene.remove() }
        await scene.start()

        scene.folder.set(false)
        await scene.pass(Controller.everything)
        #expect(await Poll.until(hangGuard: .seconds(60)) { scene.heard.all.contains { $0.hasPrefix("deletion of web waits until ") } })
        // Woken early (an engine event, a resync): still inside the delay, it keeps waiting.
        scene.clock.advance(.seconds(4))
        await scene.pass("docker/web")
        #expect(await scene.platform.deletes == 0)
        scene.clock.advance(.seconds(2))
        await scene.pass("docker/web")
        #expect(await Poll.until(hangGuard: .seconds(60)) { await scene.platform.containers.isEmpty })
        #expect(await scene.platform.deletes == 1)
    }

    @Test func withoutADelayTheDeletionIsAtOnce() async throws {
        let scene = try Scene(deleteAfter: .zero)
        defer { scene.remove() }
        await scene.start()
        scene.folder.set(false)
        await scene.pass(Controller.everything)
        #expect(await Poll.until(hangGuard: .seconds(60)) { await scene.platform.containers.isEmpty })
        #expect(!scene.heard.all.contains { $0.contains("waits until") })
    }

    @Test func aFileBackWhileItsDeletionRunsIsCreatedAgain() async throws {
        let scene = try Scene(deleteAfter: .seconds(5))
        defer { scene.remove() }
        await scene.start()

        await scene.platform.setHoldDeletes(true)
        scene.folder.set(false)
        await scene.pass(Controller.everything)
        scene.clock.advance(.seconds(6))
        await scene.controller.enqueue("docker/web")
        #expect(await Poll.until(hangGuard: .seconds(60)) { await scene.platform.deleting })
        // The file comes back while the engine is still deleting.
        scene.folder.set(true)
        await scene.platform.setHoldDeletes(false)
        #expect(await Poll.until(hangGuard: .seconds(60)) { await scene.platform.creates == 2 })
        #expect(await scene.platform.containers.count == 1)
        #expect(scene.heard.all.contains("web: its file came back while it was being deleted; creating it again"))
    }
}
