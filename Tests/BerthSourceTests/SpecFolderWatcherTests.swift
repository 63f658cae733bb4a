import BerthTestSupport
import Foundation
import Testing
@testable import BerthSource
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// Real inotify on a temporary folder. Every wait has a deadline, so a missing event fails
/// the test in a few seconds instead of hanging it.
struct SpecFolderWatcherTests {
    @Test func createdFileIsReported() async throws {
        let harness = try WatchHarness()
        defer { harness.close() }
        try harness.files.write("web.json")
        #expect(await harness.log.wait(for: [.file("web.json")]))
    }

    @Test func atomicSaveIsReportedAsTheTargetFile() async throws {
        let harness = try WatchHarness { try $0.write("x.json", "{}") }
        defer { harness.close() }
        // AtomicFile's temporary is hidden, so only the rename over x.json can be reported.
        try AtomicFile.write("{\"image\": \"nginx\"}", to: harness.files.path("x.json"))
        #expect(await harness.log.wait(for: [.file("x.json")]))
        // A visible temporary (what many editors use) may be reported too: the debounce makes the save count once.
        try harness.files.write("y.json.tmp")
        try harness.files.rename("y.json.tmp", "y.json")
        #expect(await harness.log.wait(for: [.file("y.json")]))
        #expect(await harness.log.changes.allSatisfy { [.file("x.json"), .file("y.json"), .file("y.json.tmp")].contains($0) })
    }

    @Test func deletedFileIsReported() async throws {
        let harness = try WatchHarness { try $0.write("old.json") }
        defer { harness.close() }
        try harness.files.remove("old.json")
        #expect(await harness.log.wait(for: [.file("old.json")]))
    }

    @Test func fileInNestedFolderCreatedWithMkdirPIsReported() async throws {
        let harness = try WatchHarness()
        defer { harness.close() }
        // Directory and file are created faster than the watcher can add the new watches,
        // so some rounds only find the file by listing the new directory.
        var expected: [SpecFolderChange] = []
        for round in 0..<20 {
            try harness.files.makeDirectories("r\(round)/b/c")
            try harness.files.write("r\(round)/b/c/s.json")
            expected.append(.file("r\(round)/b/c/s.json"))
        }
        #expect(await harness.log.wait(for: expected))
    }

    @Test func filesInFolderMovedIntoTheTreeAreReportedAndWatched() async throws {
        let harness = try WatchHarness()
        defer { harness.close() }
        let outside = WatchHarness.Files(root: harness.directory.path)
        try outside.makeDirectories("incoming/nested")
        try outside.write("incoming/a.json")
        try outside.write("incoming/nested/b.json")
        try outside.rename("incoming", "specs/moved")
        #expect(await harness.log.wait(for: [.file("moved/a.json"), .file("moved/nested/b.json")]))
        try harness.files.write("moved/nested/later.json")
        #expect(await harness.log.wait(for: [.file("moved/nested/later.json")]))
    }

    @Test func hiddenEditorAndNonJSONFilesAreNotReported() async throws {
        let harness = try WatchHarness { files in
            try files.makeDirectories(".git/refs")
        }
        defer { harness.close() }
        let files = harness.files
        try files.write(".git/config.json")
        try files.write(".git/refs/main.json")
        try files.makeDirectories(".cache/deep")
        try files.write(".cache/deep/a.json")
        for name in ["foo.json.swp", "foo.json.swx", "foo.json~", ".#foo.json", ".hidden.json", "4913"] {
            try files.write(name)
        }
        try files.remove("4913")
        // The sentinel comes last; had anything above been reported, it would come first.
        try files.write("sentinel.json")
        #expect(await harness.log.wait(for: [.file("sentinel.json")]))
        let reported = await harness.log.changes
        #expect(reported.allSatisfy { $0 == .file("sentinel.json") }, "reported \(reported)")
    }

    @Test func removingAWatchedSubfolderReportsRescan() async throws {
        let harness = try WatchHarness { files in
            try files.makeDirectories("team/db")
            try files.write("team/db/postgres.json")
        }
        defer { harness.close() }
        try harness.files.remove("team")
        #expect(await harness.log.wait(for: [.rescan]))
    }

    @Test func renamedFolderReportsUnderItsNewName() async throws {
        let harness = try WatchHarness { try $0.makeDirectories("a/inner") }
        defer { harness.close() }
        try harness.files.rename("a", "b")
        #expect(await harness.log.wait(for: [.rescan]))
        try harness.files.write("b/inner/new.json")
        #expect(await harness.log.wait(for: [.file("b/inner/new.json")]))
        #expect(await !harness.log.changes.contains(.file("a/inner/new.json")))
    }

    @Test func folderMovedOutOfTheTreeIsNoLongerWatched() async throws {
        let harness = try WatchHarness { try $0.makeDirectories("team") }
        defer { harness.close() }
        let outside = WatchHarness.Files(root: harness.directory.path)
        try outside.rename("specs/team", "team")
        #expect(await harness.log.wait(for: [.rescan]))
        // The inode's watch would follow it out of the tree had it not been removed.
        try outside.write("team/gone.json")
        try harness.files.write("sentinel.json")
        #expect(await harness.log.wait(for: [.file("sentinel.json")]))
        #expect(await !harness.log.changes.contains(.file("team/gone.json")))
    }

    @Test func replacedRootIsWatchedAgain() async throws {
        let harness = try WatchHarness()
        defer { harness.close() }
        let parent = WatchHarness.Files(root: harness.directory.path)
        try parent.rename("specs", "specs.old")
        try parent.makeDirectories("specs")
        #expect(await harness.log.wait(for: [.rescan]))
        // Wait for the reattach, which the parent's IN_CREATE of "specs" triggers.
        #expect(await harness.log.wait { changes, _ in changes.filter { $0 == .rescan }.count >= 2 })
        try harness.files.write("fresh.json")
        try parent.write("specs.old/stale.json")
        #expect(await harness.log.wait(for: [.file("fresh.json")]))
        #expect(await !harness.log.changes.contains(.file("stale.json")))
    }

    @Test func stopEndsTheStream() async throws {
        let harness = try WatchHarness()
        defer { harness.close() }
        harness.watcher.stop()
        #expect(await harness.log.wait(timeout: .seconds(60)) { _, ended in ended })
        harness.watcher.stop()
    }

    @Test func missingRootThrowsNamingIt() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = directory.path + "/nope"
        let error = #expect(throws: SystemError.self) { try SpecFolderWatcher(root: missing) }
        #expect(error?.path == missing)
        #expect(error?.errno == ENOENT)

        let file = WatchHarness.Files(root: directory.path)
        try file.write("plain.json")
        let notDirectory = #expect(throws: SystemError.self) { try SpecFolderWatcher(root: file.path("plain.json")) }
        #expect(notDirectory?.errno == ENOTDIR)
    }
}
