import BerthTestSupport
import Foundation
import Testing
@testable import BerthSource
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// The record parser and the event translation, driven by hand (no reader thread) so each
/// step happens in a known order.
struct WatchTreeTests {
    @Test func parsesVariableLengthRecordsAndStripsNamePadding() {
        let events = [
            InotifyEvent(wd: 1, mask: InotifyEvent.Mask.create, name: "a.json"),
            // 16 bytes of name: the kernel adds a whole 16-byte block of NULs after it.
            InotifyEvent(wd: 2, mask: InotifyEvent.Mask.movedTo, cookie: 77, name: "sixteen-chars.js"),
            InotifyEvent(wd: 1, mask: InotifyEvent.Mask.deleteSelf),
            InotifyEvent(wd: -1, mask: InotifyEvent.Mask.overflow),
            InotifyEvent(wd: 3, mask: InotifyEvent.Mask.create | InotifyEvent.Mask.isDirectory, name: "dir"),
        ]
        let bytes = InotifyEvent.encode(events)
        #expect(bytes.count == 16 + 16 + 16 + 32 + 16 + 16 + 16 + 16)
        #expect(bytes.withUnsafeBytes { InotifyEvent.parse($0) } == events)
    }

    @Test func parseDropsATruncatedTrailingRecord() {
        let whole = InotifyEvent(wd: 4, mask: InotifyEvent.Mask.closeWrite, name: "x.json")
        var bytes = InotifyEvent.encode([whole, InotifyEvent(wd: 5, mask: InotifyEvent.Mask.delete, name: "y.json")])
        bytes.removeLast(3)
        #expect(bytes.withUnsafeBytes { InotifyEvent.parse($0) } == [whole])
        #expect([UInt8](repeating: 0, count: 10).withUnsafeBytes { InotifyEvent.parse($0) } == [])
    }

    @Test(arguments: [
        ("web.json", true), ("web.json.swp", false), ("web.json.swx", false), ("web.json~", false),
        (".#web.json", false), (".web.json", false), ("4913", false), ("index.html", true),
        ("Dockerfile", true), ("a.JSON", true),
    ])
    func specFileNames(name: String, isSpec: Bool) {
        #expect(WatchTree.isSpecFile(name) == isSpec)
    }

    @Test func followsVisibleDirectoriesOnly() {
        #expect(WatchTree.isFollowedDirectory("team"))
        #expect(!WatchTree.isFollowedDirectory(".git"))
        #expect(!WatchTree.isFollowedDirectory(".."))
    }

    @Test func startWatchesEveryVisibleDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = WatchHarness.Files(root: directory.path)
        try files.makeDirectories("a/b")
        try files.makeDirectories(".git/objects")
        let tree = try WatchTree(root: directory.path + "/", inotify: Inotify())
        #expect(Set(tree.directories.values) == ["", "a", "a/b"])
    }

    @Test func newDirectoryIsListedForFilesCreatedBeforeItsWatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = WatchHarness.Files(root: directory.path)
        let inotify = try Inotify()
        let tree = try WatchTree(root: directory.path, inotify: inotify)
        // Nothing reads events yet, so "a/b" and the file exist before any watch on them.
        try files.makeDirectories("a/b")
        try files.write("a/b/early.json")
        let changes = tree.handle(try #require(inotify.nextEvents()))
        #expect(changes == [.file("a/b/early.json")])
        #expect(Set(tree.directories.values) == ["", "a", "a/b"])
    }

    @Test func overflowReportsRescanAndWatchesDirectoriesItMissed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = WatchHarness.Files(root: directory.path)
        let inotify = try Inotify()
        let tree = try WatchTree(root: directory.path, inotify: inotify)
        try files.makeDirectories("missed")
        // Pretend the IN_CREATE of "missed" was lost to an overflow.
        #expect(tree.handle([InotifyEvent(wd: -1, mask: InotifyEvent.Mask.overflow)]) == [.rescan])
        #expect(tree.directories.values.contains("missed"))
    }

    @Test func eventsOfARemovedWatchAreDropped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tree = try WatchTree(root: directory.path, inotify: Inotify())
        let stale = InotifyEvent(wd: 9999, mask: InotifyEvent.Mask.create, name: "x.json")
        #expect(tree.handle([stale]) == [])
    }
}
