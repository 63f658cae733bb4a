#if canImport(Glibc)
import Glibc
#endif

/// An inotify descriptor plus a self-pipe that interrupts a blocked `nextEvents()`.
///
/// `nextEvents()` blocks in poll(2), so it must run on a dedicated thread, never on Swift's
/// cooperative pool. `wake()` may be called from any thread. Both descriptors are closed in
/// `deinit`, only once no thread can be polling them any more: closing a descriptor another
/// thread polls does not wake it, and the number could be reused by an unrelated open.
public final class Inotify: @unchecked Sendable {
    // @unchecked: the descriptors are immutable after init and every method is a system
    // call that the kernel serialises; there is no Swift state to protect.
    private let fd: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Opens a non-blocking, close-on-exec inotify descriptor and the wake pipe.
    public init() throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            if errno == EMFILE { throw InotifyLimitError(path: nil, setting: "max_user_instances") }
            throw SystemError.current("create inotify instance")
        }
        var pipeEnds: [Int32] = [0, 0]
        // pipe2 is not visible through the Glibc module (it needs _GNU_SOURCE), hence fcntl.
        guard pipe(&pipeEnds) == 0 else {
            let error = SystemError.current("create wake pipe")
            close(fd)
            throw error
        }
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        for end in pipeEnds {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
    }

    deinit {
        close(fd)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Adds (or updates) a watch; the kernel returns the existing descriptor when `path` is
    /// an inode that is already watched, which is how a renamed directory keeps its watch.
    public func addWatch(_ path: String, mask: UInt32) throws -> Int32 {
        let wd = inotify_add_watch(fd, path, mask)
        guard wd >= 0 else {
            // ENOSPC is how the kernel says the user's watches are used up, not a full disk.
            if errno == ENOSPC { throw InotifyLimitError(path: path, setting: "max_user_watches") }
            throw SystemError.current("watch", path: path)
        }
        return wd
    }

    /// Removes a watch. Failure is ignored: it means the kernel already dropped it (the
    /// directory is gone), which is the state the caller wanted.
    public func removeWatch(_ wd: Int32) {
        _ = inotify_rm_watch(fd, wd)
    }

    /// Makes a blocked or future `nextEvents()` return nil. Idempotent: the pipe is never
    /// drained, so once woken every later poll returns at once too.
    public func wake() {
        var byte: UInt8 = 1
        // A full pipe (EAGAIN) already wakes the reader, so the result does not matter.
        _ = write(wakeWrite, &byte, 1)
    }

    /// Blocks until events arrive and returns all that are queued, or nil once `wake()` was
    /// called or the descriptor failed for good.
    public func nextEvents() -> [InotifyEvent]? {
        // 64 KiB holds ~2000 short records; a bigger burst simply takes several calls.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var fds = [
                pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if fds[1].revents != 0 { return nil }
            if fds[0].revents & Int16(POLLIN) == 0 {
                // POLLERR/POLLNVAL on the inotify descriptor: nothing more will ever come.
                if fds[0].revents != 0 { return nil }
                continue
            }
            // One read per wakeup: it returns every queued record that fits, and the caller
            // handles them before the next poll, so a long burst cannot starve `wake()`.
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                return nil
            }
            let events = buffer.withUnsafeBytes {
                InotifyEvent.parse(UnsafeRawBufferPointer(rebasing: $0[0..<count]))
            }
            if !events.isEmpty { return events }
        }
    }
}

/// The user's inotify watches (or instances) are used up: every other program of the same
/// user watching files shares the limit, so a big tree can take them all.
public struct InotifyLimitError: Error, Sendable, CustomStringConvertible {
    /// The folder that could not be watched; nil when no inotify instance could be made.
    public var path: String?
    /// `max_user_watches` or `max_user_instances`.
    public var setting: String

    public var description: String {
        // The limit in force for this user namespace (a container's may be lower than the host's).
        let files = ["/proc/sys/user/max_inotify_" + (setting == "max_user_watches" ? "watches" : "instances"), "/proc/sys/fs/inotify/" + setting]
        let current = files.lazy.compactMap { try? FileSystem.readFile($0) }.first
            .map { String(decoding: $0, as: UTF8.self).filter { !$0.isWhitespace } } ?? "?"
        let what = path.map { "cannot watch \($0) for changes" } ?? "cannot start watching the specs folder"
        return "\(what): this user's inotify \(setting == "max_user_watches" ? "watches" : "instances") are used up (limit \(current)); "
            + "raise the limit (sysctl fs.inotify.\(setting)=\(setting == "max_user_watches" ? "524288" : "512")) or keep fewer folders in the specs folder"
    }
}
