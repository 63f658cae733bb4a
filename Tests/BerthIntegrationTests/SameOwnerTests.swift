import Foundation
import Glibc
import Testing

/// One berth per owner and engine: another `--state` does not make a second berth with the
/// same owner welcome, because two would race on the same containers.
@Suite(.timeLimit(.minutes(10)))
struct SameOwnerTests {
    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    @Test func aSecondWatchWithTheSameOwnerAndAnotherStateFolderIsRefused() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            let first = try WatchProcess(p)
            // The start line comes once the watch holds its locks.
            #expect(await eventually { first.log.contains("berth watch: owner \(p.owner)") }, "\(first.log)")

            let otherState = p.root.appendingPathComponent("other-state").path
            let second = Process()
            second.executableURL = URL(fileURLWithPath: WatchProcess.binary)
            second.arguments = ["watch", "--specs", p.specs, "--state", otherState, "--owner", p.owner, "--docker-host", p.engine.host]
            let output = Pipe()
            second.standardOutput = output
            second.standardError = output
            try second.run()
            // Hang guard: a second watch that is not refused would run until stopped.
            let ended = await eventually { !second.isRunning }
            if !ended { second.terminate(); second.waitUntilExit() }
            let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

            #expect(ended, "the second watch kept running: \(said)")
            #expect(second.terminationStatus == 1)
            let socket = Self.realPath(String(p.engine.host.dropFirst("unix://".count)))
            #expect(said == "berth: another berth (pid \(first.process.processIdentifier), watch, state \(Self.realPath(p.state))) "
                + "manages owner '\(p.owner)' on unix://\(socket); stop it or choose another --owner\n")
            #expect(first.process.isRunning, "the first watch goes on: \(first.log)")
            #expect(await first.stop() == 0)

            // With the first one gone, the owner is free again, from any state folder.
            let apply = await p.berth("apply", "--state", otherState)
            #expect(apply.status == 0, "\(apply.stderr)")
        }
    }
}
