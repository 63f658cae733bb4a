import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A fresh folder under /tmp for one test's kubeconfig files, certificates and stubs,
/// removed again by `remove()`. Each test gets its own so tests run in parallel.
struct KubeFixture {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "berth-kube-test-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(created != nil, "mkdtemp failed: errno \(errno)")
        path = String(cString: created!)
    }

    /// Writes `text` to `name` inside the folder, creating subfolders; returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        let folder = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // O_CLOEXEC: a process another test starts meanwhile must not inherit this
        // descriptor, or executing the file while it is open for writing fails with
        // "Text file busy". Foundation's file writing does not promise that.
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0o755 : 0o644)
        try #require(fd >= 0, "cannot create \(file): errno \(errno)")
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        try #require(written == bytes.count)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// PEM-shaped text standing in for real certificates: the loader passes bytes through.
func fakePEM(_ kind: String, _ filler: String) -> String {
    "-----BEGIN \(kind)-----\n\(filler)\n-----END \(kind)-----\n"
}

/// Standard base64, as kubectl writes `*-data` fields.
func base64(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
}

/// The message of the `BerthError` that `body` throws, or nil if it throws none.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}
