import BerthJournal
import Glibc
import Foundation
import Testing

/// Where specs come from, against the real engine (issue 12): symbolic links are followed
/// (a release folder linked as the specs folder, a mounted ConfigMap's `..data` flip), a file
/// moved out and back within `--delete-after` deletes nothing, and the state folder is
/// readable by berth's user only.
@Suite(.timeLimit(.minutes(10)))
struct SpecSourceTests {
    static func running(_ p: Project) async throws -> [String] {
        try await p.containers().filter { $0.state == "running" }.map(\.name)
    }

    static func id(_ p: Project, _ spec: String) async throws -> String? {
        try await p.containers().first { $0.name == "\(p.owner)-\(spec)-1" }?.id
    }

    static func deletions(_ p: Project) throws -> [JournalRecord] {
        try JournalReader.read(path: p.state + "/journal.jsonl").records.filter { $0.op == "delete" }
    }

    static func link(_ p: Project, _ relative: String, to target: String) {
        #expect(symlink(target, p.root.appendingPathComponent(relative).path) == 0, "ln -s \(target) \(relative)")
    }

    @Test func aLinkedSpecsFolderApplies() async throws {
        try await Project.with { p in
            // specs -> releases/v1, as `ln -s releases/v1 current` makes it.
            try FileManager.default.removeItem(atPath: p.specs)
            try FileManager.default.createDirectory(at: p.root.appendingPathComponent("releases/v1/more"), withIntermediateDirectories: true)
            Self.link(p, "specs", to: "releases/v1")
            try p.write("a.json", p.spec("a"))
            try p.write("more/b.json", p.spec("b"))
            let run = await p.berth("apply")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(try await Self.running(p).sorted() == ["\(p.owner)-a-1", "\(p.owner)-b-1"])
        }
    }

    /// The Kubernetes ConfigMap layout, updated as the kubelet does: a new timestamped folder,
    /// `..data` replaced by a rename, the new key's link, the old folder removed. One pass,
    /// no deletion, the new spec's container made.
    @Test func aConfigMapFlipUnderWatchIsOneReconcileAndDeletesNothing() async throws {
        try await Project.with { p in
            try p.write("..2026_12_04_10_00_00.1/a.json", p.spec("a"))
            try p.write("..2026_12_04_10_00_00.1/c.json", p.spec("c"))
            Self.link(p, "specs/..data", to: "..2026_12_04_10_00_00.1")
            Self.link(p, "specs/a.json", to: "..data/a.json")
            Self.link(p, "specs/c.json", to: "..data/c.json")
            let watch = try WatchProcess(p, extra: ["--debounce", "300ms", "--resync", "30m"])
            #expect(try await eventually { try await Self.running(p).sorted() == ["\(p.owner)-a-1", "\(p.owner)-c-1"] }, "\(watch.log)")
            let a = try await Self.id(p, "a")
            let passes = watch.count("specs changed")

            try p.write("..2026_12_04_10_05_00.2/a.json", p.spec("a"))
            try p.write("..2026_12_04_10_05_00.2/b.json", p.spec("b"))
            try p.write("..2026_12_04_10_05_00.2/c.json", p.spec("c"))
            Self.link(p, "specs/..data_tmp", to: "..2026_12_04_10_05_00.2")
            #expect(rename(p.specs + "/..data_tmp", p.specs + "/..data") == 0)
            Self.link(p, "specs/b.json", to: "..data/b.json")
            try FileManager.default.removeItem(atPath: p.specs + "/..2026_12_04_10_00_00.1")
            #expect(try await eventually { try await Self.running(p).contains("\(p.owner)-b-1") }, "\(watch.log)")

            // A marker written afterwards: once its pass ran, every pass the flip could cause is logged.
            try p.write("zz-marker.json", p.spec("zz-marker"))
            #expect(try await eventually {
                try await Self.running(p).contains("\(p.owner)-zz-marker-1") && watch.count("specs changed") - passes >= 2
            }, "\(watch.log)")
            #expect(watch.count("specs changed") - passes == 2, "the flip and the marker: \(watch.log)")
            #expect(try await Self.id(p, "a") == a, "a untouched")
            #expect(try await Self.running(p).contains("\(p.owner)-c-1"))
            #expect(try Self.deletions(p).isEmpty, "no remove in the journal")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func aFileMovedOutAndBackWithinTheDelayDeletesNothing() async throws {
        try await Project.with { p in
            for name in ["a", "b", "c"] { try p.write("\(name).json", p.spec(name)) }
            let watch = try WatchProcess(p, extra: ["--delete-after", "60s", "--resync", "30m"])
            #expect(try await eventually { try await Self.running(p).count == 3 }, "\(watch.log)")
            let a = try await Self.id(p, "a")

            // mv a.json ..; (the watch sees it gone); mv ../a.json .
            let outside = p.root.appendingPathComponent("a.json").path
            #expect(rename(p.specs + "/a.json", outside) == 0)
            #expect(await eventually { watch.log.contains("deletion of a waits until ") && watch.log.contains("(file gone; --delete-after 60s)") }, "\(watch.log)")
            let status = await p.berth("status", "--json")
            #expect(status.stdout.contains("deletion of a waits until "), "\(status.stdout)")
            #expect(rename(outside, p.specs + "/a.json") == 0)
            #expect(await eventually { watch.log.contains("a is back before --delete-after ran out: nothing is deleted") }, "\(watch.log)")

            // A later change: its container made proves the later pass ran; a is the same container.
            try p.write("zz-marker.json", p.spec("zz-marker"))
            #expect(try await eventually { try await Self.running(p).contains("\(p.owner)-zz-marker-1") }, "\(watch.log)")
            #expect(try await Self.id(p, "a") == a)
            #expect(try Self.deletions(p).isEmpty, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func theStateFolderIsReadableByBerthsUserOnly() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a", env: ["TOKEN": "s3cret-value"]))
            let run = await p.berth("apply")
            #expect(run.status == 0, "\(run.stderr)")
            var info = stat()
            #expect(lstat(p.state, &info) == 0 && info.st_mode & 0o7777 == 0o700)
            let walker = FileManager.default.enumerator(atPath: p.state)
            var files = 0
            while let relative = walker?.nextObject() as? String {
                let path = p.state + "/" + relative
                #expect(lstat(path, &info) == 0)
                let expected: mode_t = (info.st_mode & S_IFMT) == S_IFDIR ? 0o700 : 0o600
                #expect(info.st_mode & 0o7777 == expected, "\(relative) is \(String(info.st_mode & 0o7777, radix: 8))")
                if (info.st_mode & S_IFMT) == S_IFREG { files += 1 }
            }
            #expect(files >= 2, "the journal and the lock at least")
        }
    }
}
