import FoundationEssentials
import BerthModel
#if canImport(Glibc)
import Glibc
#endif

extension KubeProxy {
    /// A fresh private folder under /tmp: short, so the socket path stays well inside the
    /// 107 bytes `sun_path` allows wherever `$TMPDIR` points.
    static func makeDirectory() throws(BerthError) -> String {
        var template = Array("/tmp/berth-kubectl-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let created else {
            throw BerthError(.io, "cannot create a folder under /tmp for kubectl proxy's socket", cause: String(cString: strerror(errno)))
        }
        return String(cString: created)
    }

    /// Waits until the socket accepts a connection, the child exits, or `timeout` passes.
    func waitUntilServing(program: String, timeout: Duration) async throws(BerthError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let reason = exitReason {
                try? FileManager.default.removeItem(atPath: directory)
                throw BerthError(.engineUnreachable, "kubectl proxy (\(program)) \(reason)")
            }
            if KubeProxy.accepts(socketPath) { return }
            if ContinuousClock.now >= deadline {
                await stop()
                let said = stderrTail().map { "; it said: \($0)" } ?? ""
                throw BerthError(.engineUnreachable,
                                 "kubectl proxy (\(program)) did not serve on \(socketPath) within \(timeout)\(said)")
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Whether something accepts connections on the Unix socket at `path` right now.
    static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
