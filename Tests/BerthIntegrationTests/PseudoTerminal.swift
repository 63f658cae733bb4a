import BerthSystem
import Foundation
import Glibc

/// The berth binary run with a pseudo-terminal as its stdin, stdout and stderr, as a person
/// at a terminal runs it: a test reads what it shows and types answers.
final class PseudoTerminal: @unchecked Sendable {
    private let master: Int32
    let pid: pid_t
    private(set) var output = ""
    private var status: Int32?

    /// Glibc's module leaves the pseudo-terminal calls out (they need _XOPEN_SOURCE): looked up by name.
    private static func function<T>(_ name: String, as type: T.Type) -> T {
        let handle = dlopen(nil, RTLD_NOW)
        return unsafeBitCast(dlsym(handle, name)!, to: type)
    }
    private static let openpt = function("posix_openpt", as: (@convention(c) (Int32) -> Int32).self)
    private static let grantpt = function("grantpt", as: (@convention(c) (Int32) -> Int32).self)
    private static let unlockpt = function("unlockpt", as: (@convention(c) (Int32) -> Int32).self)
    private static let ptsname = function("ptsname", as: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)

    init(arguments: [String], environment: [String: String]) throws {
        master = Self.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0, Self.grantpt(master) == 0, Self.unlockpt(master) == 0, let name = Self.ptsname(master) else {
            throw SystemError.current("open a pseudo-terminal", path: "/dev/ptmx")
        }
        let slave = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw SystemError.current("open", path: String(cString: name)) }
        defer { close(slave) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_adddup2(&actions, slave, fd) }
        var child: pid_t = 0
        let error = Spawn.start([WatchProcess.binary] + arguments, environment: environment.map { "\($0.key)=\($0.value)" },
                                actions: &actions, pid: &child)
        guard error == 0 else { throw SystemError(operation: "spawn", path: WatchProcess.binary, errno: error) }
        pid = child
    }

    deinit {
        if status == nil { kill(pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0) }
        close(master)
    }

    /// Reads what the child shows until `text` appears (true) or the hang guard passes.
    func read(until text: String, seconds: Double = 240) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !output.contains(text) {
            guard Date() < deadline, drain(timeoutMilliseconds: 200) else { return output.contains(text) }
        }
        return true
    }

    /// Types `line` and Enter.
    func type(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits for the exit, reading everything shown meanwhile; nil if it never came.
    func wait(seconds: Double = 240) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                while drain(timeoutMilliseconds: 50) {}
                status = (raw >> 8) & 0xff
                return status
            }
            _ = drain(timeoutMilliseconds: 100)
        }
        return nil
    }

    /// False when nothing more can come (the child closed the terminal).
    private func drain(timeoutMilliseconds: Int32) -> Bool {
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, timeoutMilliseconds)
        if ready == 0 { return true }
        if ready < 0 { return errno == EINTR }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(master, &buffer, buffer.count)
        guard count > 0 else { return false }
        output += String(decoding: buffer.prefix(count), as: UTF8.self)
        return true
    }
}
