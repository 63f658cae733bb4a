import BerthJSON
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// Stopping and starting the engine under a running watch. It takes the shared engine
/// away, so `make test` runs it on its own after the other tests (BERTH_TEST_ENGINE_RESTART=1).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BERTH_TEST_ENGINE_RESTART"] == "1"), .timeLimit(.minutes(10)))
struct EngineRestartTests {
    /// Runs scripts/engine.sh COMMAND and waits for it. posix_spawn and waitpid rather than
    /// Foundation's Process: its exit monitoring was seen to hang once `up` had left dockerd behind.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func engineScript(_ command: String) -> Int32 {
        let args = ["/bin/bash", root.appendingPathComponent("scripts/engine.sh").path, command]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        guard posix_spawn(&pid, args[0], &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno == EINTR { continue }
            // Reaped by someone else (Foundation watches SIGCHLD): wait until it is gone.
            while kill(pid, 0) == 0 { usleep(50_000) }
            return 0
        }
        return (status >> 8) & 0xFF
    }

    @Test func watchSurvivesAnEngineRestartAndEndsConverged() async throws {
        let engine = try TestEngine()
        try await Project.with(foreign: { p in
            try await Bystanders.make(engine: engine, lookingLike: [p.owner], specs: ["a", "b"], count: 4).ids
        }) { p, foreign in
            let bystanders = try await Bystanders.watching(engine: engine, ids: foreign)
            try p.write("a.json", p.spec("a", replicas: 2))
            try p.write("b.json", p.spec("b"))
            let watch = try WatchProcess(p)
            #expect(try await eventually { try await p.containers().filter { $0.state == "running" }.count == 3 }, "\(watch.log)")

            let lost = try #require(try await p.containers().first { $0.name == "\(p.owner)-b-1" })
            #expect(Self.engineScript("down") == 0)
            #expect(await eventually { watch.log.contains("engine is gone") }, "\(watch.log)")
            // Removed while the engine was down: its record in the private engine's data-root
            // goes, so the engine comes back without it (only where the test owns that engine).
            let record = Self.root.appendingPathComponent("state/engine/data/containers/\(lost.id)").path
            let removedWhileDown = FileManager.default.fileExists(atPath: record)
            if removedWhileDown { try FileManager.default.removeItem(atPath: record) }
            // Every pass rewrites status.json with its time, failed ones too: a newer time while
            // the engine is away is a later pass that also failed, lived through.
            let statusPath = p.state + "/status.json"
            func statusTime() -> String? {
                (try? Data(contentsOf: URL(fileURLWithPath: statusPath))).flatMap { JSONValue(answer: Array($0))?["time"]?.stringValue }
            }
            let firstFailure = statusTime()
            #expect(await eventually { statusTime() != nil && statusTime() != firstFailure }, "\(watch.log)")
            #expect(watch.process.isRunning, "watch must not exit because the engine went away")
            #expect(Self.engineScript("up") == 0)

            // dockerd stopped the containers; watch starts them again once the engine is back.
            #expect(try await eventually { try await p.containers().filter { $0.state == "running" }.count == 3 }, "\(watch.log)")
            if removedWhileDown {
                #expect(try await p.containers().first { $0.name == "\(p.owner)-b-1" }.map { $0.id != lost.id } == true,
                        "the container removed while the engine was down is created again")
            }
            #expect(watch.count("engine is gone") == 1, "said once, not once per retry:\n\(watch.log)")
            #expect(watch.log.contains("engine is back"))
            #expect(await watch.stop() == 0, "\(watch.log)")

            let running = try await p.containers().filter { $0.state == "running" }
            let replicas = Dictionary(grouping: running) { "\($0.labels["berth.name"] ?? "")#\($0.labels["berth.replica"] ?? "")" }
            let touched = try await bystanders.touched(ignoringStop: true)
            #expect(touched.isEmpty, "\(touched)")
            FaultsReport(scenario: "engine restart under watch", trials: 1, faults: ["engine-restart": 1],
                         converged: running.count == 3 && replicas.count == 3, duplicates: running.count - replicas.count,
                         unownedTouched: touched.count).record()
        }
    }
}
