import BerthTestSupport
import BerthSystem
import Foundation
import Testing
@testable import BerthJournal

#if canImport(Glibc)
import Glibc
#endif

/// A fixed clock at 2026-11-24T03:35:04.123Z so times can be compared exactly.
let fixedClock: @Sendable () -> Date = { Date(timeIntervalSince1970: 1_795_491_304.123_4) }

struct JournalTests {
    @Test func appendAndReadRoundTrip() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"

        let journal = try Journal(path: path, clock: fixedClock)
        let plan = try await journal.append(JournalRecord(event: "plan", owner: "shop", count: 2))
        let actions = try await journal.append([
            JournalRecord(event: "action-start", kind: "container", name: "web", replica: 1, op: "create"),
            JournalRecord(event: "action-failed", name: "web/1", error: "pull failed: 404",
                          attempt: 3, detail: ["image": "nginx:1.27", "url": "http://x/y"]),
        ])
        await journal.close()

        #expect(plan.seq == 1)
        #expect(plan.time == "2026-11-24T03:35:04.123Z")
        #expect(actions.map(\.seq) == [2, 3])

        let contents = try JournalReader.read(path: path)
        #expect(contents.badLines.isEmpty)
        #expect(contents.records == [plan] + actions)
        #expect(contents.records[2].detail?["url"] == "http://x/y")

        // Sorted keys, nil fields omitted, slashes unescaped, one object per line.
        let lines = try rawLines(path)
        #expect(lines.count == 4 && lines[3] == "")
        #expect(lines[0] == #"{"count":2,"event":"plan","owner":"shop","seq":1,"time":"2026-11-24T03:35:04.123Z"}"#)
        #expect(lines[2].contains(#""url":"http://x/y""#))
        #expect(!lines[1].contains("null"))
    }

    @Test func seqContinuesAfterReopening() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"

        let first = try Journal(path: path)
        try await first.append([JournalRecord(event: "apply-start"), JournalRecord(event: "apply-end")])
        await first.close()

        let second = try Journal(path: path)
        #expect(await second.tornTailRecovered == false)
        let next = try await second.append(JournalRecord(event: "plan"))
        await second.close()

        #expect(next.seq == 3)
        #expect(try JournalReader.read(path: path).records.map(\.seq) == [1, 2, 3])
    }

    @Test func tornTailIsIsolatedAndReported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"

        let first = try Journal(path: path)
        try await first.append([JournalRecord(event: "plan"), JournalRecord(event: "action-start")])
        await first.close()
        try appendRaw(#"{"event":"action-ok","seq":3,"ti"#, to: path)

        let second = try Journal(path: path)
        #expect(await second.tornTailRecovered)
        let appended = try await second.append([JournalRecord(event: "action-ok"), JournalRecord(event: "apply-end")])
        await second.close()

        #expect(appended.map(\.seq) == [3, 4])
        let contents = try JournalReader.read(path: path)
        #expect(contents.badLines == [3])
        #expect(contents.records.map(\.event) == ["plan", "action-start", "action-ok", "apply-end"])
        #expect(contents.records.map(\.seq) == [1, 2, 3, 4])
    }

    @Test func unparsableTerminatedLastLineCountsAsTornWithoutExtraNewline() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"
        try appendRaw("{\"event\":\"plan\",\"seq\":7,\"time\":\"t\"}\nnot json\n", to: path)

        let journal = try Journal(path: path)
        #expect(await journal.tornTailRecovered)
        #expect(try await journal.append(JournalRecord(event: "plan")).seq == 8)
        await journal.close()
        #expect(try rawLines(path).count == 4)  // no blank line was inserted
        #expect(try JournalReader.read(path: path).badLines == [2])
    }

    @Test func shortWriteNeverCorruptsTheNextRecord() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"

        let disk = FillingDisk()
        let journal = try Journal(path: path, write: disk.write)
        try await journal.append(JournalRecord(event: "plan"))
        disk.fillUp(after: 12)
        let error = await #expect(throws: SystemError.self) {
            try await journal.append(JournalRecord(event: "action-start", name: "web"))
        }
        #expect(error?.description == "cannot write to \(path): Input/output error")
        let after = try await journal.append(JournalRecord(event: "action-ok"))
        await journal.close()

        // The half-written line is cut off again (a full disk must leave nothing half-written),
        // and the failed record's number is still never reused.
        #expect(after.seq == 3)
        let contents = try JournalReader.read(path: path)
        #expect(contents.records.map(\.event) == ["plan", "action-ok"])
        #expect(contents.badLines == [])
        // Two whole lines and the final newline: no torn or blank line where the failed write was.
        #expect(try rawLines(path).count == 3)
    }

    @Test func fullDiskSurfacesAsSystemError() async throws {
        // /dev/full accepts open(O_APPEND) and fails every write with ENOSPC.
        try #require(FileSystem.exists("/dev/full"))
        let journal = try Journal(path: "/dev/full")
        let error = await #expect(throws: SystemError.self) {
            try await journal.append(JournalRecord(event: "plan"))
        }
        #expect(error?.errno == ENOSPC)
        #expect(error?.description == "cannot write to /dev/full: No space left on device")
        await journal.close()
    }

    @Test func appendAfterCloseThrows() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let journal = try Journal(path: directory.path + "/journal.jsonl")
        await journal.close()
        await #expect(throws: SystemError.self) {
            try await journal.append(JournalRecord(event: "plan"))
        }
        #expect(try await journal.append([]).isEmpty)
    }

    @Test func openFailureNamesThePath() throws {
        let error = #expect(throws: SystemError.self) {
            try Journal(path: "/nonexistent-berth-dir/journal.jsonl")
        }
        #expect(error?.description == "cannot open /nonexistent-berth-dir/journal.jsonl: No such file or directory")
    }

    /// A journal planted as a link is never appended to through it (O_NOFOLLOW), even by a
    /// caller that skipped the state folder's checks.
    @Test func aLinkedJournalIsNotOpened() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let victim = directory.path + "/victim"
        try AtomicFile.write("precious\n", to: victim)
        #expect(symlink(victim, directory.path + "/journal.jsonl") == 0)

        let error = #expect(throws: SystemError.self) { try Journal(path: directory.path + "/journal.jsonl") }
        #expect(error?.errno == ELOOP)
        #expect(try FileSystem.readFile(victim) == Array("precious\n".utf8))
    }
}
