import Foundation
import Glibc

/// The few blocking socket calls the fault proxy needs, with errno turned into errors.
enum FaultSockets {
    static func listen(path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestServerError("socket failed: errno \(errno)") }
        var address = unixAddress(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 256) == 0 else {
            let code = errno
            close(fd)
            throw HTTPTestServerError("cannot listen on \(path): errno \(code)")
        }
        return fd
    }

    /// A blocking connect to the upstream socket; -1 when it cannot be reached.
    static func connect(path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = unixAddress(path)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 { close(fd); return -1 }
        return fd
    }

    private static func unixAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes.prefix(107)) }
        return address
    }

    /// Makes the coming close() abortive: an RST on TCP. A Unix socket has no RST; its peer
    /// sees the end of the stream in the middle of a response, which a client must treat the same.
    static func setAbortiveClose(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Writes everything, or returns false when the peer is gone.
    @discardableResult
    static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Bool {
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let n = array.withUnsafeBytes { send(fd, $0.baseAddress! + offset, array.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Waits up to `milliseconds` (-1: forever) for any of `fds` or the stop pipe; returns the
    /// readable ones (hang-ups count as readable: the read then says 0), nil when stopped.
    static func wait(_ fds: [Int32], stop: Int32, milliseconds: Int32) -> Set<Int32>? {
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        polls.append(pollfd(fd: stop, events: Int16(POLLIN), revents: 0))
        while true {
            let rc = poll(&polls, nfds_t(polls.count), milliseconds)
            if rc < 0 && errno == EINTR { continue }
            if rc < 0 || polls.last!.revents != 0 { return nil }
            return Set(polls.dropLast().filter { $0.revents != 0 }.map(\.fd))
        }
    }

    /// One read of up to 64 KiB; empty at the end of the stream or on an error.
    static func read(_ fd: Int32) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            return n > 0 ? Array(buffer[0..<n]) : []
        }
    }
}

extension Array where Element == UInt8 {
    /// The index just past the first "\r\n\r\n", the end of an HTTP head.
    func headEnd() -> Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 {
            return i + 4
        }
        return nil
    }
}
