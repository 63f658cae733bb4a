import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under /tmp for one test, removed again by `remove()`. Each test gets
/// its own so tests can run in parallel without seeing each other's files.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/berth-journal-test-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(created != nil, "mkdtemp failed: errno \(errno)")
        path = String(cString: created!)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The names in the directory, sorted, hidden ones included.
    func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
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
