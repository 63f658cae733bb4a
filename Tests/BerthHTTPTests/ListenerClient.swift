import BerthHTTP
import Foundation
import Glibc

/// A raw client for listener tests: sends exactly the bytes given (malformed ones too) and
/// reads until the server closes. Blocking, with a receive timeout as the hang guard.
enum ListenerClient {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Connects to `address`; the caller closes the descriptor.
    static func connect(_ address: ListenAddress) throws -> Int32 {
        var storage = sockaddr_storage()
        let family: Int32, length: socklen_t
        switch address {
        case .unix(let path):
            family = AF_UNIX
            var sun = sockaddr_un()
            sun.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: sun) { Array($0) }) }
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
        case .tcp(let host, let port):
            if host.contains(":") {
                family = AF_INET6
                var v6 = sockaddr_in6()
                v6.sin6_family = sa_family_t(AF_INET6)
                v6.sin6_port = UInt16(port).bigEndian
                _ = inet_pton(AF_INET6, host, &v6.sin6_addr)
                withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: v6) { Array($0) }) }
                length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            } else {
                family = AF_INET
                var v4 = sockaddr_in()
                v4.sin_family = sa_family_t(AF_INET)
                v4.sin_port = UInt16(port).bigEndian
                _ = inet_pton(AF_INET, host, &v4.sin_addr)
                withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: v4) { Array($0) }) }
                length = socklen_t(MemoryLayout<sockaddr_in>.size)
            }
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var guardTime = timeval(tv_sec: 90, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &guardTime, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) } }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect to \(address): errno \(code)")
        }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Everything the server sends until it closes (or the 90 s hang guard).
    static func readAll(_ fd: Int32) -> String {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            out += buffer[0..<count]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Sends `request` and returns the whole answer.
    static func exchange(_ address: ListenAddress, _ request: String) throws -> String {
        try exchange(address, Array(request.utf8))
    }

    static func exchange(_ address: ListenAddress, _ request: [UInt8]) throws -> String {
        let fd = try connect(address)
        defer { close(fd) }
        send(fd, request)
        return readAll(fd)
    }

    /// The status code of an answer ("HTTP/1.1 200 OK" gives 200), or 0.
    static func status(_ answer: String) -> Int {
        let parts = answer.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 ? Int(parts[1]) ?? 0 : 0
    }

    /// The body of an answer, after the blank line.
    static func body(_ answer: String) -> String {
        answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) } ?? ""
    }
}
