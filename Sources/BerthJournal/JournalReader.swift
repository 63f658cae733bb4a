import BerthSystem
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// What a journal file held: the records that parsed, and where the ones that did not were.
public struct JournalContents: Sendable {
    /// Every line that decoded as a record, in file order.
    public var records: [JournalRecord]
    /// 1-based line numbers that did not parse, for example a line torn by a crash mid-write.
    public var badLines: [Int]

    /// Creates contents from already-parsed parts.
    public init(records: [JournalRecord] = [], badLines: [Int] = []) {
        self.records = records
        self.badLines = badLines
    }
}

/// Reads `journal.jsonl` files, tolerating the damage a crash can leave behind.
public enum JournalReader {
    /// Reads and parses the journal at `path`. A missing file is an empty journal; lines that
    /// do not parse are skipped and listed in `badLines` instead of failing the whole read,
    /// because one torn line must not hide the history before and after it.
    public static func read(path: String) throws -> JournalContents {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(path)
        } catch let error as SystemError where error.errno == ENOENT {
            return JournalContents()
        }
        return parse(bytes).contents
    }

    /// The result of parsing raw journal bytes.
    struct Parsed {
        var contents: JournalContents
        /// The number of the last non-blank line, 0 when there is none.
        var lastLine: Int
        /// Whether the bytes end in a newline (or are empty), i.e. nothing is half-written.
        var endsWithNewline: Bool
    }

    /// Splits on newlines and decodes each line. Blank lines are skipped silently: they
    /// carry no record and cannot hide one.
    static func parse(_ bytes: [UInt8]) -> Parsed {
        let decoder = JSONDecoder()
        var contents = JournalContents()
        var lastLine = 0
        var lineNumber = 0
        var start = 0
        while start < bytes.count {
            lineNumber += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0a {
                end += 1
            }
            let line = bytes[start..<end]
            if !line.allSatisfy(isBlank) {
                lastLine = lineNumber
                if let record = try? decoder.decode(JournalRecord.self, from: Data(line)) {
                    contents.records.append(record)
                } else {
                    contents.badLines.append(lineNumber)
                }
            }
            start = end + 1
        }
        let endsWithNewline = bytes.last.map { $0 == 0x0a } ?? true
        return Parsed(contents: contents, lastLine: lastLine, endsWithNewline: endsWithNewline)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0d
    }
}
