import Foundation
import Testing

/// `watch` on a tree with more folders than the user may watch says so in one line and
/// stops, instead of leaving folders unwatched without a word. The limit is lowered in a
/// user namespace of its own (unshare -U), so nothing outside this test is affected; no
/// Docker Engine is needed, berth stops before it would reach one.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
struct InotifyLimitTests {
    @Test func runningOutOfWatchesIsAClearError() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-inotify-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["a/b/c/d/e", "f", "g"] {
            try FileManager.default.createDirectory(atPath: root + "/specs/" + folder, withIntermediateDirectories: true)
        }
        let process = Process()
        // `timeout` is the hang guard: without the check, watch would run on, unaware.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        let berth = [WatchProcess.binary, "watch", "--specs", root + "/specs", "--state", root + "/state", "--docker-host", "unix://" + root + "/no-engine.sock"]
        process.arguments = ["120", "/usr/bin/unshare", "-U", "-r", "sh", "-c", "echo 4 > /proc/sys/user/max_inotify_watches && exec \"$@\"", "sh"] + berth
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(output.contains("berth: cannot watch \(root)/specs/"))
        #expect(output.contains("for changes: this user's inotify watches are used up (limit 4); raise the limit (sysctl fs.inotify.max_user_watches=524288) or keep fewer folders in the specs folder"))
    }

    /// A folder made while watch runs, past the limit: one log line, and watch goes on.
    @Test func aNewFolderPastTheLimitIsLoggedOnce() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-inotify-new-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/specs", withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        // Two watches: the specs folder and its parent; nothing is left for a new folder.
        let berth = [WatchProcess.binary, "watch", "--specs", root + "/specs", "--state", root + "/state", "--docker-host", "unix://" + root + "/no-engine.sock"]
        process.arguments = ["-U", "-r", "sh", "-c", "echo 2 > /proc/sys/user/max_inotify_watches && exec \"$@\"", "sh"] + berth
        let output = try ChildLog()
        process.standardOutput = output.handle
        process.standardError = output.handle
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(await eventually { output.text.contains("berth watch: owner") })
        try FileManager.default.createDirectory(atPath: root + "/specs/team-a", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/specs/team-b", withIntermediateDirectories: true)
        let line = "berth: cannot watch \(root)/specs/team-"
        #expect(await eventually { output.text.contains(line) })
        #expect(output.text.contains("for changes: this user's inotify watches are used up (limit 2)"))
        #expect(output.text.components(separatedBy: line).count == 2, "said once, not per folder")
        #expect(process.isRunning)
        process.terminate()
    }
}
