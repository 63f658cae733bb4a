import Foundation
import Glibc

/// A fresh directory under /tmp for one test, removed again by `remove()`. Each test gets
/// its own so tests can run in parallel without seeing each other's files.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// `prefix` names the directory ("/tmp/berth-PREFIX-XXXXXX") so a leftover says whose it is.
    public init(prefix: String = "test") throws {
        var template = Array("/tmp/berth-\(prefix)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let created else { throw HTTPTestServerError("mkdtemp failed: errno \(errno)") }
        path = String(cString: created)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The names in the directory, sorted, hidden ones included.
    public func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
