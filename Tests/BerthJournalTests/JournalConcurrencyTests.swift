import BerthTestSupport
import Foundation
import Testing
@testable import BerthJournal

struct JournalConcurrencyTests {
    /// 200 concurrent appenders: every record lands once, seqs are unique and increase down
    /// the file, and group commit needs far fewer write+fsync rounds than records.
    @Test func concurrentAppendsAreGroupCommitted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"
        let journal = try Journal(path: path)

        let returned = try await withThrowingTaskGroup(of: JournalRecord.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await journal.append(JournalRecord(event: "action-ok", name: "task-\(index)", replica: index))
                }
            }
            var all: [JournalRecord] = []
            for try await record in group {
                all.append(record)
            }
            return all
        }
        let batches = await journal.batchCount
        await journal.close()

        #expect(returned.count == 200)
        #expect(Set(returned.map(\.seq)) == Set(1...200))

        let contents = try JournalReader.read(path: path)
        #expect(contents.badLines.isEmpty)
        #expect(contents.records.count == 200)
        #expect(try rawLines(path).count == 201)
        let seqs = contents.records.map(\.seq)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Set(contents.records.compactMap(\.replica)) == Set(0..<200))
        // What each caller got back is exactly what is in the file.
        let bySeq = Dictionary(uniqueKeysWithValues: contents.records.map { ($0.seq, $0) })
        #expect(returned.allSatisfy { bySeq[$0.seq] == $0 })

        #expect(batches >= 1)
        #expect(batches <= 50, "expected group commit, got \(batches) fsync batches for 200 records")
    }

    /// One caller's records stay together even when other callers' batches interleave.
    @Test func multiRecordAppendsStayContiguous() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/journal.jsonl"
        let journal = try Journal(path: path)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<20 {
                group.addTask {
                    let records = (0..<5).map { JournalRecord(event: "action-start", owner: "c\(caller)", replica: $0) }
                    let written = try await journal.append(records)
                    #expect(written.map(\.seq) == Array(written[0].seq..<(written[0].seq + 5)))
                }
            }
            try await group.waitForAll()
        }
        await journal.close()

        let records = try JournalReader.read(path: path).records
        #expect(records.count == 100)
        for start in stride(from: 0, to: 100, by: 5) {
            let chunk = records[start..<(start + 5)]
            #expect(Set(chunk.map(\.owner)).count == 1)
            #expect(chunk.map(\.replica) == [0, 1, 2, 3, 4])
        }
    }
}
