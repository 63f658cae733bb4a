import BerthJournal
import BerthSystem
import BerthTestSupport
import Foundation
import Testing
@testable import BerthCommands

#if canImport(Glibc)
import Glibc
#endif

/// GitSource against a real file:// repository, without an engine: what comes into force,
/// what is refused, what is kept on disk, and fetchNow waking the loop.
struct GitSourceUnitTests {
    static let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1",
                              "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
                              "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com"]

    @discardableResult
    static func git(_ arguments: [String], home: String) throws -> String {
        let result = try ChildProcess(executable: "git", arguments: arguments, environment: environment.merging(["HOME": home]) { $1 }).runBlocking()
        guard result.succeeded else { throw GitError(command: arguments.joined(separator: " "), message: result.stderrText) }
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Commits `files` in `work` (nil removes one); the hash.
    static func commit(_ work: String, home: String, _ files: [String: String?]) throws -> String {
        for (path, text) in files {
            if let text {
                try FileManager.default.createDirectory(atPath: (work + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: work + "/" + path, atomically: true, encoding: .utf8)
            } else {
                try FileManager.default.removeItem(atPath: work + "/" + path)
            }
        }
        try git(["-C", work, "add", "-A"], home: home)
        try git(["-C", work, "commit", "--quiet", "-m", "change"], home: home)
        return try git(["-C", work, "rev-parse", "HEAD"], home: home)
    }

    static func spec(_ name: String) -> String { #"{"name": "\#(name)", "image": "busybox:1"}"# }

    @Test func revisionsComeIntoForceInvalidOnesAreRefusedAndTwoAreKept() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path, work = directory.path + "/work"
        try Self.git(["init", "--quiet", "--initial-branch=main", work], home: home)
        let first = try Self.commit(work, home: home, ["specs/a.json": Self.spec("a")])
        let options = try #require(try GitSourceOptions(Arguments.parse(["apply", "--git", "file://" + work, "--path", "specs"],
                                                                        options: CommandTable.allOptions)))
        let root = directory.path + "/state/git"
        let source = GitSource(options: options, root: root, owner: "t", policy: nil, stateDirectory: "/nonexistent", journal: nil, log: { _ in })

        #expect(await source.sync() == .newRevision)
        #expect(source.specsInForce()?.revision.hash == first)
        #expect(source.specsInForce()?.directory == root + "/rev-" + first + "/specs")
        #expect(await source.sync() == .unchanged)

        // Uncommitted edits in the work tree are never seen.
        try Self.spec("dirty").write(toFile: work + "/specs/b.json", atomically: true, encoding: .utf8)
        #expect(await source.sync() == .unchanged)
        try FileManager.default.removeItem(atPath: work + "/specs/b.json")

        let bad = try Self.commit(work, home: home, ["specs/a.json": #"{"name": "a"}"#])
        #expect(await source.sync() == .rejected)
        #expect(source.specsInForce()?.revision.hash == first)
        let refused = try #require(source.currentStatus().refused)
        #expect(refused.hash == bad && refused.errors?.first?.hasPrefix("specs/a.json:") == true)
        #expect(!FileSystem.isDirectory(root + "/rev-" + bad))

        let second = try Self.commit(work, home: home, ["specs/a.json": Self.spec("a"), "specs/b.json": Self.spec("b")])
        let third = try Self.commit(work, home: home, ["specs/b.json": nil])
        #expect(await source.sync() == .newRevision)
        #expect(source.specsInForce()?.revision.hash == third)
        _ = second
        // current and the revision before it, nothing else; the link is the guard's one exception.
        let revisions = try FileManager.default.contentsOfDirectory(atPath: root).filter { $0.hasPrefix("rev-") }.sorted()
        #expect(revisions == ["rev-" + first, "rev-" + third].sorted())
        #expect(GitSource.linkTarget(root + "/current") == "rev-" + third)
        try StateFolderGuard.checkGitFolder(root)
        #expect(GitSource.readStatus(stateDirectory: directory.path + "/state")?.inForce?.hash == third)

        // The branch deleted: an error, the revision in force stays.
        try Self.git(["-C", work, "branch", "-m", "main", "other"], home: home)
        guard case .failed(let reason) = await source.sync() else { Issue.record("a missing branch is not an error"); return }
        #expect(reason.contains("cannot fetch branch main"))
        #expect(source.specsInForce()?.revision.hash == third)
        #expect(source.currentStatus().error != nil)
    }

    @Test func fetchNowWakesTheWaitAndIsNotLostWhenEarly() async throws {
        let options = try #require(try GitSourceOptions(Arguments.parse(["watch", "--git", "file:///nonexistent"], options: CommandTable.allOptions)))
        let source = GitSource(options: options, root: "/nonexistent/git", owner: "t", policy: nil, stateDirectory: "/nonexistent", journal: nil, log: { _ in })
        let trigger: any FetchTrigger = source
        // Early: a call before the wait makes the next wait return at once.
        trigger.fetchNow()
        await source.waitForNextFetch(.seconds(3600))
        // During: the wait returns when asked (the hang guard is long; the wait itself is an hour).
        let woke = Flag()
        let waiting = Task { await source.waitForNextFetch(.seconds(3600)); woke.set() }
        #expect(await Poll.until(hangGuard: .seconds(60)) {
            trigger.fetchNow()
            return woke.value
        })
        waiting.cancel()
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var raised = false
        func set() { lock.lock(); raised = true; lock.unlock() }
        var value: Bool { lock.lock(); defer { lock.unlock() }; return raised }
    }

    @Test func aLocalFolderInAWorkTreeCarriesHeadAndDirty() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let home = directory.path, work = directory.path + "/work"
        try Self.git(["init", "--quiet", "--initial-branch=main", work], home: home)
        let head = try Self.commit(work, home: home, ["specs/a.json": Self.spec("a")])
        // LocalRevision asks git with the machine's environment; HOME keeps it off the user's config.
        let clean = LocalRevision(directory: work + "/specs").current()
        #expect(clean?.hash == head && clean?.dirty == false && clean?.subject == "change")
        try Self.spec("b").write(toFile: work + "/specs/b.json", atomically: true, encoding: .utf8)
        #expect(LocalRevision(directory: work + "/specs").current()?.dirty == true)
        try FileManager.default.createDirectory(atPath: directory.path + "/plain", withIntermediateDirectories: true)
        #expect(LocalRevision(directory: directory.path + "/plain").current() == nil)
    }

    @Test(arguments: [
        (["apply", "--git", "file:///r", "--specs", "s"], "--git and --specs are two sources of specs: give one of them"),
        (["apply", "--branch", "main"], "--branch only applies with --git URL"),
        (["watch", "--git", "file:///r", "--interval", "500ms"], "--interval must be at least 1s"),
        (["plan", "--git", "file:///r", "--path", "../x"], "--path must lie inside the repository, without \"..\""),
        (["apply", "--git", "ext::sh -c evil"], "--git: ext:: URLs run commands; berth does not use them"),
    ])
    func badGitOptionsAreUsageErrors(argv: [String], message: String) async {
        let console = Console.capturing()
        let status = await BerthCLI.run(argv, environment: [:], console: console)
        #expect(status == ExitCode.usage)
        #expect(console.stderr == "berth: \(message)\n")
    }
}
