import Foundation
import Testing

/// Stopping and starting the engine under a running watch. It takes the shared engine
/// away, so `make test` runs it on its own after the other tests (BERTH_TEST_ENGINE_RESTART=1).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BERTH_TEST_ENGINE_RESTART"] == "1"), .timeLimit(.minutes(5)))
struct EngineRestartTests {
    static func engineScript(_ command: String) throws -> Int32 {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [root.appendingPathComponent("scripts/engine.sh").path, command]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func watchSurvivesAnEngineRestartAndEndsConverged() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a", replicas: 2))
            try p.write("b.json", p.spec("b"))
            let watch = try WatchProcess(p)
            #expect(try await eventually { try await p.containers().filter { $0.state == "running" }.count == 3 }, "\(watch.log)")

            #expect(try Self.engineScript("down") == 0)
            #expect(await eventually(30) { watch.log.contains("engine is gone") }, "\(watch.log)")
            try await Task.sleep(for: .seconds(2))
            #expect(watch.process.isRunning, "watch must not exit because the engine went away")
            #expect(try Self.engineScript("up") == 0)

            // dockerd stopped the containers; watch starts them again once the engine is back.
            #expect(try await eventually(60) { try await p.containers().filter { $0.state == "running" }.count == 3 }, "\(watch.log)")
            #expect(watch.count("engine is gone") == 1, "said once, not once per retry:\n\(watch.log)")
            #expect(watch.log.contains("engine is back"))
            #expect(await watch.stop() == 0)
        }
    }
}
