import BerthJournal
import BerthJSON
import Glibc
import Foundation
import Testing

/// `berth watch` as a child process against the real engine.
@Suite(.timeLimit(.minutes(10)))
struct WatchTests {
    static func names(_ p: Project) async throws -> [String] { try await p.containers().map(\.name) }
    static func running(_ p: Project) async throws -> [String] {
        try await p.containers().filter { $0.state == "running" }.map(\.name)
    }

    @Test func fileDropsEditsAndDeletesAreFollowed() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            try p.write("b.json", p.spec("b"))
            let watch = try WatchProcess(p)
            #expect(try await eventually { try await Self.running(p) == ["\(p.owner)-a-1", "\(p.owner)-b-1"] }, "\(watch.log)")

            // Dropping a file in a new subfolder creates its containers.
            try p.write("more/c.json", p.spec("c", replicas: 2))
            #expect(try await eventually { try await Self.running(p).count == 4 }, "\(watch.log)")

            // An atomic save (temp file, rename over) replaces them.
            let before = try await p.containers().first { $0.name == "\(p.owner)-a-1" }?.id
            let temp = p.root.appendingPathComponent("specs/.a.json.tmp")
            try p.spec("a", env: ["MODE": "new"]).write(to: temp, atomically: false, encoding: .utf8)
            #expect(rename(temp.path, p.root.appendingPathComponent("specs/a.json").path) == 0)
            #expect(try await eventually {
                let now = try await p.containers().first { $0.name == "\(p.owner)-a-1" }
                return now != nil && now?.id != before && now?.state == "running"
            }, "\(watch.log)")

            // Deleting a file removes its containers (2 of 4 at once is not a mass delete).
            try p.remove("more/c.json")
            #expect(try await eventually { try await Self.names(p) == ["\(p.owner)-a-1", "\(p.owner)-b-1"] }, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func aBurstOfFilesIsOneReconcile() async throws {
        try await Project.with { p in
            try p.write("seed.json", p.spec("seed"))
            // No resync: only file changes may start a pass here. A quiet period of 2 s: on a
            // loaded machine the test's own writes of the burst paused for more than 300 ms.
            let watch = try WatchProcess(p, extra: ["--debounce", "2s", "--resync", "30m"])
            #expect(try await eventually { try await Self.running(p).count == 1 })
            let passes = watch.count("specs changed")
            // Like a git checkout: 50 files written as fast as the disk takes them.
            for i in 1...50 { try p.write("burst/s\(i).json", p.spec("s\(i)")) }
            // A hang guard: under the whole parallel suite the shared engine took 18 s for one create.
            #expect(try await eventually(240) { try await Self.running(p).count == 51 }, "\(watch.log)")
            // A marker written after the burst converged: once its own pass has run, every pass the
            // burst could have caused has been logged. Burst and marker: exactly two passes.
            try p.write("zz-marker.json", p.spec("zz-marker"))
            #expect(try await eventually {
                try await Self.running(p).contains("\(p.owner)-zz-marker-1") && watch.count("specs changed") - passes >= 2
            }, "\(watch.log)")
            #expect(watch.count("specs changed") - passes == 2, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func killedAndRemovedContainersAreHealed() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            // No resync within the test: only the engine's events can bring the container back.
            let watch = try WatchProcess(p, extra: ["--resync", "30m"])
            #expect(try await eventually { try await Self.running(p) == ["\(p.owner)-a-1"] })
            let first = try #require(try await p.containers().first)
            try await p.engine.kill(first.id)
            // A hang guard: under the full suite the shared engine took 9 s for one create and the
            // heal 23 s from the kill; the speed is make bench's.
            #expect(try await eventually { try await Self.running(p) == ["\(p.owner)-a-1"] }, "\(watch.log)")
            // Removed by hand: created again (after the crash-loop wait for a second death, at most a few seconds).
            _ = try await p.engine.call("DELETE", "/containers/\(first.id)?force=true")
            #expect(try await eventually {
                let now = try await p.containers()
                return now.count == 1 && now[0].state == "running" && now[0].id != first.id
            }, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func aCrashLoopBacksOffInsteadOfSpinning() async throws {
        try await Project.with { p in
            try p.write("crash.json", """
                {"name": "crash", "image": "\(TestEngine.demoImage)", "command": ["false"]}
                """)
            let watch = try WatchProcess(p)
            #expect(await eventually { watch.log.contains("crash #1 is crash-looping") }, "\(watch.log)")
            let journal = p.state + "/journal.jsonl"
            func starts() throws -> Int {
                try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
                    .filter { $0.contains("\"event\":\"action-ok\"") && $0.contains("\"op\":\"start\"") }.count
            }
            // The journal's crash-loop records count the deaths berth waited out (1 s, 2 s, 4 s ...).
            // Without the backoff, the count never grows past 1 while starts pile up; with it,
            // each start after the first heal follows one more recorded death.
            func deaths() throws -> Int {
                try JournalReader.read(path: journal).records.filter { $0.event == "crash-loop" }.compactMap(\.count).max() ?? 0
            }
            // A hang guard: 1 + 2 + 4 s of backoff plus the engine's time for four starts.
            #expect(try await eventually { try deaths() >= 3 }, "\(watch.log)")
            let (recorded, started) = (try deaths(), try starts())
            // Starts: the first heal, then one per recorded death; nothing in between.
            #expect(started <= recorded + 1, "\(started) starts for \(recorded) recorded deaths\n\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func invalidEditAndEmptiedFolderDeleteNothing() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            try p.write("b.json", p.spec("b"))
            let watch = try WatchProcess(p)
            #expect(try await eventually { try await Self.running(p).count == 2 })
            let ids = try await p.containers().map(\.id)

            // Each check ends with a marker spec written once the pass under test has begun: a
            // pass never overlaps another, so the marker running means the pass under test, with
            // any deletion it could have made, is over.
            func markerRuns(_ name: String) async throws -> Bool {
                try p.write("\(name).json", p.spec(name))
                return try await eventually { try await Self.running(p).contains("\(p.owner)-\(name)-1") }
            }
            func survivors() async throws -> [String] { try await p.containers().map(\.id).filter(ids.contains) }

            try p.write("a.json", "{\"name\": \"a\", \"replicas\": \"two\"}")
            #expect(await eventually { watch.log.contains("a.json:1:27: $.replicas") }, "\(watch.log)")
            #expect(try await markerRuns("marker-1"), "\(watch.log)")
            #expect(try await survivors() == ids)

            // Emptied: the first marker goes too.
            try p.remove("a.json")
            try p.remove("b.json")
            try p.remove("marker-1.json")
            #expect(await eventually { watch.log.contains("deletion of 3 removed specs held (a, b, marker-1; 3 resources)") }, "\(watch.log)")
            #expect(try await markerRuns("marker-2"), "\(watch.log)")
            #expect(try await survivors() == ids)
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func secondWatchIsRefusedAndSigtermLeavesAReadableJournal() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            let watch = try WatchProcess(p, extra: ["--log-format", "json"])
            #expect(try await eventually { try await Self.running(p).count == 1 })
            let logLines = watch.log.split(separator: "\n")
            #expect(!logLines.isEmpty && logLines.allSatisfy { (try? JSONParser.parse(String($0)).value["message"]) != nil }, "\(watch.log)")
            let second = try WatchProcess(p)
            #expect(await eventually(5) { !second.process.isRunning })
            #expect(second.process.terminationStatus == 1)
            #expect(second.log.contains("in use by another berth"), "\(second.log)")

            // SIGHUP asks for a full resync; its default action would have killed the daemon.
            kill(watch.process.processIdentifier, SIGHUP)
            #expect(await eventually { watch.log.contains("SIGHUP: full resync") }, "\(watch.log)")
            #expect(watch.process.isRunning)

            // The watch's status.json catches up with what it did.
            var status = await p.berth("status", "--json")
            #expect(await eventually {
                status = await p.berth("status", "--json")
                let entries = (try? JSONParser.parse(status.stdout).value["entries"]?.arrayValue) ?? nil
                return entries?.first?["runningReplicas"] == .number("1")
            }, "\(status.stdout)")
            #expect(status.stdout.contains("\"configHashMatches\":true"))

            #expect(await watch.stop() == 0, "\(watch.log)")
            // A stop is not an engine fault: no "stream lost; reconnecting" on the way out.
            let stopping = watch.log.components(separatedBy: "stopping (SIGTERM)").last ?? ""
            #expect(watch.log.contains("stopping (SIGTERM)") && !stopping.contains("reconnecting"), "\(watch.log)")
            let lines = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(lines.allSatisfy { (try? JSONParser.parse(String($0))) != nil })
            #expect(lines.last?.contains("watch-stop") == true)
        }
    }
}
