import Foundation
import Glibc
import Synchronization

/// systemd's side of `$NOTIFY_SOCKET` in a test: a Unix datagram socket that keeps every
/// message berth sends (READY=1, WATCHDOG=1, STOPPING=1, STATUS=…), in order.
public final class NotifySocketReceiver: Sendable {
    /// What to put in NOTIFY_SOCKET: the path, or "@name" for an abstract socket.
    public let address: String
    private let fd: Int32
    private let received = Mutex<[String]>([])
    private let closed = Atomic<Bool>(false)

    /// `abstract`: a name in the abstract namespace (no file) instead of `directory/notify`.
    public init(directory: String, abstract: Bool = false) throws {
        let name = abstract ? "berth-test-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))" : directory + "/notify"
        var bytes = Array(name.utf8)
        if abstract { bytes.insert(0, at: 0) }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        guard fd >= 0 else { throw HTTPTestServerError("socket failed: errno \(errno)") }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { path in for (i, byte) in bytes.enumerated() { path[i] = byte } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let bound = withUnsafePointer(to: &sun) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { close(fd); throw HTTPTestServerError("bind \(name) failed: errno \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        address = abstract ? "@" + name : name
        let thread = Thread { [self] in self.receive() }
        thread.name = "notify-receiver"
        thread.start()
    }

    private func receive() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !closed.load(ordering: .acquiring) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                let message = String(decoding: buffer[..<count], as: UTF8.self)
                received.withLock { $0.append(message) }
            }
        }
        close(fd)
    }

    /// Every message so far, in the order they came.
    public var messages: [String] { received.withLock { $0 } }

    /// Whether a message holds this line ("READY=1").
    public func heard(_ line: String) -> Bool { messages.contains { $0.split(separator: "\n").contains(Substring(line)) } }

    /// Stops receiving; the socket is closed by the receiving thread (within 100 ms).
    public func stop() { closed.store(true, ordering: .releasing) }
}
