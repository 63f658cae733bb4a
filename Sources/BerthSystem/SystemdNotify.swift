import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram per message
/// to the Unix socket `$NOTIFY_SOCKET` names, a file path or `@name` for the abstract
/// namespace. Under `Type=notify` berth says READY=1 after its first pass, WATCHDOG=1 while
/// it is alive, STOPPING=1 when it stops.
public struct SystemdNotify: Sendable {
    /// The socket's address bytes: the path, or a NUL then the abstract name.
    let address: [UInt8]
    /// How often systemd wants WATCHDOG=1 (`WatchdogSec=`); nil when it wants none.
    public let watchdogInterval: Duration?

    /// Nil when `NOTIFY_SOCKET` is unset or unusable: berth was not started by systemd with
    /// `Type=notify`, and there is nobody to tell.
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        guard let socket = environment["NOTIFY_SOCKET"], socket.count > 1, socket.first == "/" || socket.first == "@" else { return nil }
        var bytes = Array(socket.utf8)
        if bytes[0] == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        address = bytes
        watchdogInterval = SystemdNotify.watchdog(environment: environment, pid: pid)
    }

    /// `WATCHDOG_USEC` as a duration, when it is meant for this process: `WATCHDOG_PID`, if
    /// set, must be our pid (a child that inherited the variables must not ping).
    public static func watchdog(environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// Pings at half the interval, as sd_watchdog_enabled(3) advises.
    public var pingEvery: Duration? { watchdogInterval.map { $0 / 2 } }

    /// Sends one message ("READY=1", "STATUS=…"; several as lines), never waiting (a full
    /// socket drops it). A lost datagram is not an error berth can do anything about: the
    /// result says whether it went.
    @discardableResult
    public func send(_ message: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { path in
            for (index, byte) in address.enumerated() { path[index] = byte }
        }
        // A path is NUL-terminated inside sun_path; an abstract name's length is exact.
        let length = MemoryLayout<sa_family_t>.size + address.count + (address.first == 0 ? 0 : 1)
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &sun) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), address, socklen_t(length)) }
            }
        }
        return sent == bytes.count
    }
}
