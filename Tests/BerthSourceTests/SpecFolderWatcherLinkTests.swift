import BerthTestSupport
import Foundation
import Testing
@testable import BerthSource
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// Links under watch (issue 12): a linked folder is watched as that folder, a ConfigMap's
/// `..data` flip and git-sync's `current` flip are seen, and the new target is watched.
struct SpecFolderWatcherLinkTests {
    @Test func aLinkedFolderIsWatchedUnderTheLinksName() async throws {
        let harness = try WatchHarness { _ in }
        defer { harness.close() }
        let outside = WatchHarness.Files(root: harness.directory.path)
        try outside.makeDirectories("releases/v1")
        // Made after the start: the link's appearance makes its target watched.
        #expect(symlink(harness.directory.path + "/releases/v1", harness.root + "/current") == 0)
        #expect(await harness.log.wait(for: [.rescan]))
        try outside.write("releases/v1/a.json")
        #expect(await harness.log.wait(for: [.file("current/a.json")]))
    }

    @Test func aConfigMapFlipIsSeenAndTheNewTargetIsWatched() async throws {
        let harness = try WatchHarness { files in
            try files.makeDirectories("..v1")
            try files.write("..v1/a.json")
            #expect(symlink("..v1", files.path("..data")) == 0)
            #expect(symlink("..data/a.json", files.path("a.json")) == 0)
        }
        defer { harness.close() }
        // An edit of the target in place is seen, reported under the link's folder.
        try harness.files.write("..v1/a.json", "{\"x\": 1}")
        #expect(await harness.log.wait(for: [.file("a.json")]))
        // The kubelet's update: a new folder, `..data` replaced by a rename.
        try harness.files.makeDirectories("..v2")
        try harness.files.write("..v2/a.json")
        #expect(symlink("..v2", harness.files.path("..data_tmp")) == 0)
        try harness.files.rename("..data_tmp", "..data")
        #expect(await harness.log.wait(for: [.rescan]))
        try harness.files.remove("..v1")
        let before = await harness.log.changes.filter { $0 == .file("a.json") }.count
        try harness.files.write("..v2/a.json", "{\"x\": 2}")
        #expect(await harness.log.wait { changes, _ in changes.filter { $0 == .file("a.json") }.count > before })
    }

    @Test func aFlippedSpecsFolderLinkIsWatchedAgain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = WatchHarness.Files(root: directory.path)
        try files.makeDirectories("v1")
        try files.makeDirectories("v2")
        #expect(symlink("v1", files.path("current")) == 0)
        let watcher = try SpecFolderWatcher(root: files.path("current"))
        defer { watcher.stop() }
        let log = ChangeLog()
        Task {
            for await change in watcher.changes { await log.record(change) }
            await log.end()
        }
        try files.write("v1/a.json")
        #expect(await log.wait(for: [.file("a.json")]))
        // git-sync: a new link renamed over `current`.
        #expect(symlink("v2", files.path("current.tmp")) == 0)
        try files.rename("current.tmp", "current")
        #expect(await log.wait(for: [.rescan]))
        try files.write("v2/b.json")
        #expect(await log.wait(for: [.file("b.json")]))
    }

    @Test func aLinkToAFolderAboveIsNotWalkedForever() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = WatchHarness.Files(root: directory.path)
        try files.makeDirectories("sub")
        #expect(symlink("..", files.path("sub/up")) == 0)
        #expect(symlink(".", files.path("self")) == 0)
        #expect(symlink("/", files.path("top")) == 0)
        let tree = try WatchTree(root: directory.path, inotify: Inotify())
        #expect(Set(tree.directories.values) == ["", "sub"])
    }
}
