import BerthJournal
import BerthTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Each test's own folder comes from BerthTestSupport's `TemporaryDirectory`.
extension TemporaryDirectory {
    init() throws { try self.init(prefix: "journal-test") }
}

/// Appends raw bytes to a file by hand, the way a crash mid-write would leave them.
func appendRaw(_ text: String, to path: String) throws {
    let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
    try #require(fd >= 0)
    defer { close(fd) }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    try #require(written == bytes.count)
}

/// The file's lines, split on "\n" without dropping empty ones (a trailing "" means the file
/// ended with a newline).
func rawLines(_ path: String) throws -> [String] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

/// A disk the test fills up when it likes: after `fillUp(after:)`, the next write stores only
/// that many bytes and the rest fails with EIO; writes after it go through (space was freed).
/// Passed to the journal as its `write`, so the fault comes from outside the journal's code.
final class FillingDisk: @unchecked Sendable {
    private let lock = NSLock()
    private var steps: [Int] = []

    func fillUp(after count: Int) { lock.withLock { steps = [count, 0] } }

    var write: JournalWrite {
        JournalWrite { [self] fd, bytes in
            switch lock.withLock({ steps.isEmpty ? nil : steps.removeFirst() }) {
            case nil: return JournalWrite.system.call(fd, bytes)
            case 0?: errno = EIO; return -1
            case let limit?: return JournalWrite.system.call(fd, UnsafeRawBufferPointer(rebasing: bytes.prefix(limit)))
            }
        }
    }
}
