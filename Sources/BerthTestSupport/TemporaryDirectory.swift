import Foundation
import Glibc

/// A fresh directory for one test, removed again by `remove()`. Each test gets its own so
/// tests can run in parallel without seeing each other's files.
///
/// It is made under `TemporaryDirectory.root`: `$TMPDIR` when set (`make test` points it at
/// a folder of its own and, at the end, fails if anything berth-made is left in it), else /tmp.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Where tests make their folders: `$TMPDIR` without its trailing slash, else /tmp. Kept
    /// short on purpose: a Unix socket's path holds 107 bytes, and servers put theirs here.
    public static var root: String {
        var root = ProcessInfo.processInfo.environment["TMPDIR"] ?? ""
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        return root.hasPrefix("/") && root.utf8.count <= 60 ? root : "/tmp"
    }

    /// `prefix` names the directory ("ROOT/berth-PREFIX-XXXXXX") so a leftover says whose it is.
    public init(prefix: String = "test") throws {
        path = try Self.make(named: "berth-\(prefix)")
    }

    /// Makes a fresh "ROOT/NAME-XXXXXX" directory (mode 0700) and returns its path.
    public static func make(named name: String) throws -> String {
        var template = Array("\(root)/\(name)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let created else { throw HTTPTestServerError("mkdtemp failed: errno \(errno)") }
        return String(cString: created)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The names in the directory, sorted, hidden ones included.
    public func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
