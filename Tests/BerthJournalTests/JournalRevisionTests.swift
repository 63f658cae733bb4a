import BerthTestSupport
import Foundation
import Testing
@testable import BerthJournal

/// Every record of a pass carries the commit its specs came from; journals written before
/// berth recorded it still read.
struct JournalRevisionTests {
    @Test func theCurrentRevisionIsStampedOnEveryRecordAndReadBack() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"
        let journal = try Journal(path: path, clock: fixedClock)
        let revision = JournalRevision(hash: "0123456789abcdef0123456789abcdef01234567", subject: "web: two replicas",
                                       author: "Ann <ann@example.com>", time: "2026-12-04T10:00:00+00:00")
        try await journal.append(JournalRecord(event: "before"))
        journal.setRevision(revision)
        try await journal.append([JournalRecord(event: "plan"), JournalRecord(event: "action-ok", name: "web")])
        let own = JournalRevision(hash: "fedcba9876543210fedcba9876543210fedcba98", dirty: true)
        try await journal.append(JournalRecord(event: "revision-rejected", revision: own))
        await journal.close()

        let records = try JournalReader.read(path: path).records
        #expect(records.map(\.revision) == [nil, revision, revision, own])
        #expect(records[1].revision?.short == "0123456789ab")
        #expect(records[3].revision?.short == "fedcba987654+dirty")
        let lines = try rawLines(path)
        #expect(lines[1].contains(#""revision":{"author":"Ann <ann@example.com>","hash":"0123456789abcdef0123456789abcdef01234567""#))
        #expect(!lines[0].contains("revision"))
    }

    @Test func aLineWrittenBeforeRevisionsExistedStillReads() throws {
        let old = #"{"event":"action-ok","name":"web","owner":"shop","seq":7,"time":"2026-11-24T03:35:04.123Z"}"# + "\n"
        let contents = JournalReader.parse(Array(old.utf8)).contents
        #expect(contents.badLines.isEmpty)
        #expect(contents.records.first?.seq == 7)
        #expect(contents.records.first?.revision == nil)
    }
}
