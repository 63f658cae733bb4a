import BerthSystem
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#endif

/// The append-only record of what berth planned and did: `state/journal.jsonl`, one JSON
/// object per line, each line durable (fsynced) before `append` returns.
///
/// Crash safety rests on three rules. Records only ever go out as whole lines in a single
/// write(2). A line left without its newline (by a crash, or by a short write) is isolated by
/// starting the next write with "\n", so it can never glue onto a good record. And `seq`
/// continues after the highest good record found on open, so numbers never repeat.
public actor Journal {
    /// The journal file.
    public nonisolated let path: String
    private let clock: @Sendable () -> Date
    private let file: JournalFile
    private let encoder: JSONEncoder

    private var nextSeq: Int
    /// Set when the file might end in a partial line; the next write then starts with "\n".
    private var needsLeadingNewline: Bool
    private var waiting: [Waiter] = []
    private var flushing = false
    private var closeRequested = false
    /// Stamped on every record appended without one of its own; set when a pass starts.
    private let revision = RevisionBox()

    /// True if opening found a torn last line (no trailing newline, or unparsable). It is left
    /// in place for readers to report, and new records start on a fresh line.
    public private(set) var tornTailRecovered: Bool
    /// How many write+fsync rounds have been issued. Far below the number of records when
    /// appends arrive concurrently, which is the point of group commit.
    public private(set) var batchCount = 0

    private struct Waiter {
        var records: [JournalRecord]
        var continuation: CheckedContinuation<[JournalRecord], any Error>
    }

    /// Opens (creating if needed, mode 0600) the journal at `path`, scanning it once for the
    /// last good `seq` and for a torn tail.
    ///
    /// - Parameters:
    ///   - clock: the source of record times; tests pass a fixed clock.
    ///   - write: how bytes reach the file (write(2)); tests pass a disk that fills up.
    public init(path: String, clock: @escaping @Sendable () -> Date = { Date() }, write: JournalWrite = .system) throws {
        let file = try JournalFile(path: path, write: write)
        var lastSeq = 0
        var torn = false
        var leadingNewline = false
        if file.isRegularFile() {
            let parsed = JournalReader.parse(try FileSystem.readFile(path))
            // The maximum, not the last: after a torn tail or a hand edit the last good line
            // need not carry the highest number, and reusing a number would be worse than a gap.
            lastSeq = parsed.contents.records.map(\.seq).max() ?? 0
            leadingNewline = !parsed.endsWithNewline
            torn = leadingNewline || (parsed.lastLine > 0 && parsed.contents.badLines.last == parsed.lastLine)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]

        self.path = path
        self.clock = clock
        self.file = file
        self.encoder = encoder
        self.nextSeq = lastSeq + 1
        self.needsLeadingNewline = leadingNewline
        self.tornTailRecovered = torn
    }

    /// Appends `records` and fsyncs before returning them as written, with `seq` and `time`
    /// filled in. The records of one call are consecutive in the file.
    ///
    /// Concurrent callers are group-committed: records that arrive while a write+fsync is in
    /// flight go out together in the next single write+fsync, so 16 parallel actions cost a
    /// couple of fsyncs rather than 16 in a row.
    ///
    /// - Throws: `SystemError` naming the path and reason (for example ENOSPC) if the write
    ///   or fsync failed; the records may then be missing or present-but-not-durable.
    @discardableResult
    public func append(_ records: [JournalRecord]) async throws -> [JournalRecord] {
        if records.isEmpty { return [] }
        if closeRequested {
            throw SystemError(operation: "append to", path: path, errno: EBADF)
        }
        return try await withCheckedThrowingContinuation { continuation in
            waiting.append(Waiter(records: records, continuation: continuation))
            if !flushing {
                flushing = true
                Task { await self.drain() }
            }
        }
    }

    /// Appends one record; see `append(_:)` for the batch form.
    @discardableResult
    public func append(_ record: JournalRecord) async throws -> JournalRecord {
        try await append([record])[0]
    }

    /// The revision every record appended from now on carries (unless it has its own); nil
    /// stops stamping. Nonisolated so that a pass's synchronous spec loader can set it.
    public nonisolated func setRevision(_ value: JournalRevision?) {
        revision.set(value)
    }

    /// The revision records are stamped with now.
    public nonisolated var currentRevision: JournalRevision? { revision.get() }

    /// Stops accepting appends and closes the file once the records already accepted are
    /// written. Appending afterwards throws.
    public func close() {
        closeRequested = true
        if !flushing {
            file.close()
        }
    }

    /// Writes batches until nobody is waiting. Only one drain runs at a time (`flushing`);
    /// while it is suspended on the disk, new callers just join `waiting`.
    private func drain() async {
        while !waiting.isEmpty {
            let batch = waiting
            waiting.removeAll()
            await flush(batch)
        }
        flushing = false
        if closeRequested {
            file.close()
        }
    }

    private func flush(_ batch: [Waiter]) async {
        let time = Timestamp.rfc3339(clock())
        let stamp = revision.get()
        var bytes: [UInt8] = needsLeadingNewline ? [0x0a] : []
        var accepted: [(waiter: Waiter, records: [JournalRecord])] = []
        for waiter in batch {
            do {
                var seq = nextSeq
                var stamped: [JournalRecord] = []
                var lines: [UInt8] = []
                for var record in waiter.records {
                    record.seq = seq
                    record.time = time
                    if record.revision == nil { record.revision = stamp }
                    lines.append(contentsOf: try encoder.encode(record))
                    lines.append(0x0a)
                    stamped.append(record)
                    seq += 1
                }
                // Numbers are consumed even if the write fails below: a failed write may still
                // have reached the file, and a repeated seq would be worse than a gap.
                nextSeq = seq
                bytes.append(contentsOf: lines)
                accepted.append((waiter, stamped))
            } catch {
                waiter.continuation.resume(throwing: error)
            }
        }
        guard !accepted.isEmpty else { return }

        batchCount += 1
        let outcome = await file.appendAndSync(bytes)
        if outcome.written > 0 {
            // If the bytes that did land end mid-line, the next write must isolate them.
            needsLeadingNewline = bytes[outcome.written - 1] != 0x0a
        }
        for (waiter, records) in accepted {
            if let error = outcome.error {
                waiter.continuation.resume(throwing: error)
            } else {
                waiter.continuation.resume(returning: records)
            }
        }
    }
}

/// The journal's current revision, behind a lock: set from synchronous code, read in `flush`.
final class RevisionBox: @unchecked Sendable {
    private let lock = ThreadLock()
    private var value: JournalRevision?

    func set(_ new: JournalRevision?) {
        lock.lock()
        value = new
        lock.unlock()
    }

    func get() -> JournalRevision? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
