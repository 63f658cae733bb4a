import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// The posix_spawn runner: exit status, both streams, the time limit, a missing program.
struct ChildProcessTests {
    static let shell = "/bin/sh"

    @Test func statusAndBothStreamsAreCollected() async throws {
        let child = ChildProcess(executable: Self.shell, arguments: ["-c", "echo out; echo err >&2; exit 3"], environment: ["PATH": "/usr/bin:/bin"])
        let result = try await child.run()
        #expect(result.status == 3 && result.signal == nil && !result.timedOut)
        #expect(result.stdoutText == "out\n")
        #expect(result.stderrText == "err\n")
    }

    @Test func argumentsEnvironmentAndFolderReachTheChild() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = ChildProcess(executable: "sh", arguments: ["-c", "printf '%s|%s|%s|' \"$1\" \"$BERTH_X\" \"$(pwd)\"; cat", "sh", "a b"],
                                 environment: ["PATH": "/usr/bin:/bin", "BERTH_X": "y"], workingDirectory: directory.path)
        let result = try child.runBlocking()
        #expect(result.succeeded)
        // stdin is /dev/null: cat ends at once.
        #expect(result.stdoutText == "a b|y|\(directory.path)|")
    }

    @Test func muchOutputOnBothStreamsDoesNotDeadlock() async throws {
        let child = ChildProcess(executable: Self.shell, arguments: ["-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"],
                                 environment: ["PATH": "/usr/bin:/bin"])
        let result = try await child.run()
        #expect(result.succeeded && result.stdout.count == 300_000 && result.stderr.count == 300_000)
    }

    @Test func aChildPastItsTimeLimitIsKilled() async throws {
        var child = ChildProcess(executable: Self.shell, arguments: ["-c", "echo started; exec sleep 600"], environment: ["PATH": "/usr/bin:/bin"])
        child.timeout = .milliseconds(300)
        let result = try await child.run()
        #expect(result.timedOut)
        #expect(result.signal == SIGKILL && result.status == nil)
        #expect(result.stdoutText == "started\n")
    }

    @Test func aMissingProgramIsAnErrorNamingIt() async throws {
        let child = ChildProcess(executable: "berth-no-such-program", environment: ["PATH": "/usr/bin:/bin"])
        await #expect {
            try await child.run()
        } throws: { error in
            "\(error)" == "cannot run berth-no-such-program: No such file or directory"
        }
        let absolute = ChildProcess(executable: "/nonexistent/berth-tool")
        #expect(throws: SystemError.self) { try absolute.runBlocking() }
    }

    @Test func manyRunsAtOnceFromManyThreads() async throws {
        try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<16 {
                group.addTask {
                    try await ChildProcess(executable: Self.shell, arguments: ["-c", "echo \(index)"], environment: ["PATH": "/usr/bin:/bin"]).run().stdoutText
                }
            }
            var seen: Set<String> = []
            for try await text in group { seen.insert(text) }
            #expect(seen == Set((0..<16).map { "\($0)\n" }))
        }
    }
}
