import Foundation
import Testing
@testable import BerthJournal

struct JournalReaderTests {
    @Test func missingFileIsEmpty() throws {
        let contents = try JournalReader.read(path: "/tmp/berth-no-such-journal-\(UUID().uuidString)")
        #expect(contents.records.isEmpty)
        #expect(contents.badLines.isEmpty)
    }

    @Test func badLinesAreNumberedAndBlankLinesSkipped() {
        let text = """
            {"event":"plan","seq":1,"time":"t"}

            {"event":"plan"}
            [1,2]
            {"event":"apply-end","seq":2,"time":"t"}
            {"event":"x","se
            """
        let parsed = JournalReader.parse(Array(text.utf8))
        #expect(parsed.contents.records.map(\.seq) == [1, 2])
        // Line 3 is valid JSON but lacks seq/time, so it is not a record either.
        #expect(parsed.contents.badLines == [3, 4, 6])
        #expect(parsed.lastLine == 6)
        #expect(parsed.endsWithNewline == false)
    }

    @Test func emptyInputEndsCleanly() {
        let parsed = JournalReader.parse([])
        #expect(parsed.endsWithNewline)
        #expect(parsed.lastLine == 0)
    }

    @Test func timestampsAreRFC3339UTCMilliseconds() {
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 1_795_491_304.123_9)) == "2026-11-24T03:35:04.123Z")
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp.rfc3339(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }
}
