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
        var template = Array("/tmp/berth-system-test-XXXXXX".utf8CString)
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
