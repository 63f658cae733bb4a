/// Cuts a byte stream into newline-delimited records, however the chunks fall.
/// Docker's progress and event streams send one JSON object per line.
struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    /// The complete lines `chunk` finishes, without line endings; empty lines are dropped
    /// because they carry no record (some servers send them as keep-alives).
    mutating func push(_ chunk: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var rest = chunk[...]
        while let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            pending.append(contentsOf: rest[rest.startIndex..<newline])
            rest = rest[(newline + 1)...]
            if let line = takePending() { lines.append(line) }
        }
        pending.append(contentsOf: rest)
        return lines
    }

    /// The last line when the stream ended without a final newline.
    mutating func finish() -> [UInt8]? {
        takePending()
    }

    private mutating func takePending() -> [UInt8]? {
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        defer { pending.removeAll(keepingCapacity: true) }
        return pending.isEmpty ? nil : pending
    }
}
