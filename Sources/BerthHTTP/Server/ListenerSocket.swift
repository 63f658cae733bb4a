import Glibc

/// Opens the listening socket of an `HTTPListener`.
enum ListenerSocket {
    /// A bound, listening, non-blocking socket and the address it really has (port 0 resolved).
    static func open(_ address: ListenAddress) throws(HTTPListenerError) -> (fd: Int32, bound: ListenAddress) {
        switch address {
        case .tcp(let host, let port): return try openTCP(host: host, port: port)
        case .unix(let path): return (try openUnix(path: path), address)
        }
    }

    private static func newSocket(_ family: Int32, _ address: ListenAddress) throws(HTTPListenerError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        let fd = socket(family, type, 0)
        guard fd >= 0 else { throw HTTPListenerError("cannot listen on \(address): cannot create a socket: \(errnoText(errno))") }
        return fd
    }

    private static func openTCP(host: String, port: Int) throws(HTTPListenerError) -> (fd: Int32, bound: ListenAddress) {
        let address = ListenAddress.tcp(host: host, port: port)
        guard let family = ListenAddress.family(of: host) else { throw HTTPListenerError("cannot listen on \(address): not an IP address") }
        let fd = try newSocket(family, address)
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var storage = sockaddr_storage()
        let length: socklen_t
        if family == AF_INET6 {
            // [::] means IPv6 only; IPv4 clients get their own address.
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = UInt16(port).bigEndian
            _ = inet_pton(AF_INET6, host, &v6.sin6_addr)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: v6) { Array($0) }) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = UInt16(port).bigEndian
            _ = inet_pton(AF_INET, host, &v4.sin_addr)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: v4) { Array($0) }) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }
        let rc = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard rc == 0, listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            let why = code == EADDRINUSE ? "the port is in use (is another berth watch or another program listening there?)"
                : code == EADDRNOTAVAIL ? "that address is not one of this machine's" : errnoText(code)
            throw HTTPListenerError("cannot listen on \(address): \(why)")
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) } }
        let boundPort = family == AF_INET6
            ? withUnsafeBytes(of: actual) { $0.load(as: sockaddr_in6.self).sin6_port.bigEndian }
            : withUnsafeBytes(of: actual) { $0.load(as: sockaddr_in.self).sin_port.bigEndian }
        return (fd, .tcp(host: host, port: Int(boundPort)))
    }

    /// Binds under a temporary name, sets mode 0600, then renames into place: the socket is
    /// never reachable with looser permissions. An existing file is replaced only if it is a
    /// socket nobody listens on (left by a watch that was killed).
    private static func openUnix(path: String) throws(HTTPListenerError) -> Int32 {
        let address = ListenAddress.unix(path: path)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw HTTPListenerError("cannot listen on \(address): \(path) exists and is not a socket; remove it or choose another path")
            }
            if socketIsAlive(path) {
                throw HTTPListenerError("cannot listen on \(address): something already listens there (another berth watch?)")
            }
        }
        let temporary = path + ".\(getpid()).tmp"
        guard temporary.utf8.count <= HTTPEndpoint.maximumUnixPathLength else {
            throw HTTPListenerError("cannot listen on \(address): the path is too long for a Unix socket (keep it under \(HTTPEndpoint.maximumUnixPathLength - 16) bytes)")
        }
        unlink(temporary)
        let fd = try newSocket(AF_UNIX, address)
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: Array(temporary.utf8)) }
        let rc = withUnsafePointer(to: &sun) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, chmod(temporary, 0o600) == 0, listen(fd, 64) == 0, rename(temporary, path) == 0 else {
            let code = errno
            close(fd)
            unlink(temporary)
            throw HTTPListenerError("cannot listen on \(address): \(errnoText(code))")
        }
        return fd
    }

    /// Whether a process accepts connections on the socket at `path`.
    private static func socketIsAlive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var sun = sockaddr_un()
        sun.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &sun.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let rc = withUnsafePointer(to: &sun) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0
    }
}
