import Glibc
import Foundation
import Testing
import BerthTestSupport

/// `berth watch` as a child process, as a person runs it, with its output collected.
final class WatchProcess: @unchecked Sendable {
    let process = Process()
    private let output: ChildLog

    /// The debug build `swift test` made beside the tests, or $BERTH_TEST_BINARY (`make
    /// coverage` points it at the instrumented build, so the children count too).
    static var binary: String {
        if let binary = ProcessInfo.processInfo.environment["BERTH_TEST_BINARY"], !binary.isEmpty { return binary }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/berth").path
    }

    /// A child's own environment, plus where an instrumented child writes its profile (else
    /// it would write default.profraw into the working folder).
    static func environment(_ own: [String: String]) -> [String: String] {
        var environment = own
        if let profile = ProcessInfo.processInfo.environment["LLVM_PROFILE_FILE"] { environment["LLVM_PROFILE_FILE"] = profile }
        return environment
    }

    convenience init(_ project: Project, extra: [String] = []) throws {
        try self.init(arguments: ["watch", "--specs", project.specs, "--state", project.state, "--owner", project.owner,
                                  "--docker-host", project.engine.host] + extra)
    }

    /// A watch on a Kubernetes-only project: its kubeconfig, and a Docker Engine that is not there.
    convenience init(_ project: KubeProject, extra: [String] = []) throws {
        try self.init(arguments: ["watch", "--specs", project.specs, "--state", project.state, "--owner", project.owner,
                                  "--kubeconfig", project.kubeconfig, "--docker-host", "unix:///nonexistent/berth-test/docker.sock"] + extra,
                      environment: ["HOME": project.root.path, "PATH": "/usr/bin:/bin"])
    }

    /// `asJournal`: the child's stderr is presented as journald's stream (`JOURNAL_STREAM`
    /// names the log file), as systemd does for a service.
    init(arguments: [String], environment: [String: String]? = nil, asJournal: Bool = false) throws {
        output = try ChildLog()
        process.executableURL = URL(fileURLWithPath: WatchProcess.binary)
        process.arguments = arguments
        var environment = environment
        if asJournal { environment = (environment ?? ProcessInfo.processInfo.environment).merging(["JOURNAL_STREAM": output.journalStream]) { $1 } }
        if let environment { process.environment = WatchProcess.environment(environment) }
        process.standardError = output.handle
        process.standardOutput = output.handle
        try process.run()
    }

    var log: String { output.text }

    func count(_ text: String) -> Int { log.components(separatedBy: text).count - 1 }

    /// SIGTERM and wait; returns the exit status. Waits well past watch's own 15 s bound on
    /// the work in flight (a hang guard: on a loaded CI machine a stop took over 25 s), so a
    /// loaded engine finishing its creates slowly is not a failed stop.
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        for _ in 0..<2400 where process.isRunning { await Poll.pause(.milliseconds(50)) }
        guard process.isRunning else { return process.terminationStatus }
        // Failed to stop: kill it, so it cannot go on creating containers after the test's cleanup.
        kill()
        for _ in 0..<100 where process.isRunning { await Poll.pause(.milliseconds(50)) }
        return -1
    }

    func kill() { if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) } }
}

/// Polls a condition the way a person refreshes `docker ps`: true once it holds, false after the deadline.
/// The deadline is a hang guard, not a speed target (that is make bench's): under the whole
/// suite on a loaded 2-core CI machine, tests that take seconds alone took over 60 s.
func eventually(_ seconds: Double = 240, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        await Poll.pause(.milliseconds(100))
    }
    return try await condition()
}
