import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Whether a file descriptor is systemd's journal: systemd sets `JOURNAL_STREAM` to
/// "DEVICE:INODE" of the stream it connected to stdout/stderr (systemd.exec(5)); a redirect
/// by the service's own script changes stderr, and the variable no longer matches.
public enum JournalStream {
    public static func isStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        matches(fd: 2, environment: environment)
    }

    public static func matches(fd: Int32, environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// The value systemd would set for `fd`, for tests.
    public static func value(of fd: Int32) -> String? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return "\(info.st_dev):\(info.st_ino)"
    }
}
