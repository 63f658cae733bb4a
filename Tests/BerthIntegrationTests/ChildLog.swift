import Foundation
import Glibc

/// Where a child process of a test writes its stdout and stderr: a file of the test's own,
/// read back on demand.
///
/// Not a pipe with a readability handler: that leaves a dispatch source on a descriptor
/// Foundation closes on release, and once the number was reused by another test's socket the
/// dispatch manager thread crashed the whole test process (seen under the full suite).
final class ChildLog: @unchecked Sendable {
    private let folder: URL
    private let file: URL
    private let descriptor: Int32
    private let identity: (dev: UInt64, ino: UInt64)
    /// For `Process.standardOutput` / `standardError`; the descriptor is closed here, once.
    let handle: FileHandle

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-childlog-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        file = folder.appendingPathComponent("output.log")
        descriptor = open(file.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var info = stat()
        fstat(descriptor, &info)
        identity = (UInt64(info.st_dev), UInt64(info.st_ino))
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
    }

    var text: String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }

    /// The file's "DEVICE:INODE", as systemd puts the journal's stream in `JOURNAL_STREAM`.
    var journalStream: String { "\(identity.dev):\(identity.ino)" }

    deinit {
        // Closed only while the number is still this file, never a number another test reuses.
        var info = stat()
        if fstat(descriptor, &info) == 0, UInt64(info.st_dev) == identity.dev, UInt64(info.st_ino) == identity.ino {
            close(descriptor)
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
