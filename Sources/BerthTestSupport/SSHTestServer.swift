import BerthHTTP
import BerthSystem
import Foundation
import Glibc

/// A real OpenSSH server (Debian's openssh-server, `make deps` installs it) on 127.0.0.1 and
/// a free port, for tests of ssh:// engines: its own host key, an authorised client key made
/// for the test, known-hosts files (the right key, and another key for the same address),
/// no ForceCommand (the client's `docker system dial-stdio` runs), and DOCKER_HOST on the
/// far side set to a given engine socket. `stop()` ends sshd and its sessions and removes
/// every file it made.
///
/// Logins are as root (tests run as root, like the private engine); nothing outside its
/// folder is touched but /run/sshd, which sshd's privilege separation needs.
public final class SSHTestServer: @unchecked Sendable {
    // @unchecked: `pid` is only touched under `lock`.
    /// The folder holding keys, config, known-hosts files, pidfile and log.
    public let folder: String
    public let port: Int
    /// The private key sshd accepts (its public half is in authorized_keys).
    public let clientKey: String
    /// A private key sshd does not accept.
    public let strangerKey: String
    /// known_hosts naming this server's real host key for [127.0.0.1]:port.
    public let knownHosts: String
    /// known_hosts naming another key for the same address: what a changed host key looks like.
    public let wrongKnownHosts: String
    /// sshd's log (LogLevel VERBOSE), for a person reading a failed run.
    public let logFile: String
    private let lock = NSLock()
    private var pid: pid_t

    /// Starts sshd. `dockerHost` becomes DOCKER_HOST of every session (sshd_config SetEnv);
    /// with `dockerOnPath` false, sessions get PATH=/nonexistent, so `docker` is not found.
    public init(dockerHost: String, dockerOnPath: Bool = true) throws {
        guard let sshd = ([String](["/usr/sbin/sshd", "/sbin/sshd"])).first(where: { access($0, X_OK) == 0 }) else {
            throw HTTPTestServerError("sshd is not installed (Debian package openssh-server; run `make deps`)")
        }
        let folder = try TemporaryDirectory.make(named: "berth-sshd")
        var started = false
        defer { if !started { try? FileManager.default.removeItem(atPath: folder) } }
        // Privilege separation wants its empty, root-owned chroot folder.
        if !FileManager.default.fileExists(atPath: "/run/sshd") {
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        }
        for name in ["host", "other-host", "client", "stranger"] {
            try SSHTestServer.run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "berth-test-\(name)", "-f", "\(folder)/\(name)"])
        }
        func publicKey(_ name: String) throws -> String {
            try String(contentsOfFile: "\(folder)/\(name).pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try (publicKey("client") + "\n").write(toFile: "\(folder)/authorized_keys", atomically: true, encoding: .utf8)
        let logFile = "\(folder)/sshd.log"
        var environment = "SetEnv DOCKER_HOST=\(dockerHost)"
        if !dockerOnPath { environment += " PATH=/nonexistent" }

        // A free port is found by binding port 0; another process may take it before sshd
        // binds, so a failed start is tried again on another port.
        var lastError = ""
        for _ in 0..<5 {
            let port = try SSHTestServer.freePort()
            let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(folder)/host
            PidFile \(folder)/sshd.pid
            AuthorizedKeysFile \(folder)/authorized_keys
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            UsePAM no
            StrictModes no
            PrintMotd no
            LogLevel VERBOSE
            MaxStartups 100:30:200
            \(environment)

            """
            try config.write(toFile: "\(folder)/sshd_config", atomically: true, encoding: .utf8)
            let result = try ChildProcess(executable: sshd, arguments: ["-f", "\(folder)/sshd_config", "-E", logFile],
                                          timeout: .seconds(30)).runBlocking()
            if result.succeeded, let pid = SSHTestServer.waitForPid("\(folder)/sshd.pid") {
                self.folder = folder
                self.port = port
                self.pid = pid
                clientKey = "\(folder)/client"
                strangerKey = "\(folder)/stranger"
                knownHosts = "\(folder)/known_hosts"
                wrongKnownHosts = "\(folder)/wrong_known_hosts"
                self.logFile = logFile
                try "[127.0.0.1]:\(port) \(try publicKey("host"))\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
                try "[127.0.0.1]:\(port) \(try publicKey("other-host"))\n".write(toFile: wrongKnownHosts, atomically: true, encoding: .utf8)
                started = true
                return
            }
            lastError = (result.stderrText + ((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""))
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw HTTPTestServerError("sshd did not start: \(lastError)")
    }

    deinit { stop() }

    /// The address as berth would be given it, with this server's key and known-hosts file.
    public func destination(identityFile: String? = nil, knownHostsFile: String? = nil) -> SSHDestination {
        SSHDestination(user: "root", host: "127.0.0.1", port: port, identityFile: identityFile ?? clientKey,
                       knownHostsFile: knownHostsFile ?? knownHosts)
    }

    /// "ssh://root@127.0.0.1:PORT".
    public var url: String { "ssh://root@127.0.0.1:\(port)" }

    /// ssh sessions open now: one per ssh child berth keeps (each connection is a process
    /// sshd forks; its log cannot be counted, as concurrent sessions overwrite each other's lines).
    public func openSessions() -> Int {
        let pid = lock.withLock { self.pid }
        return pid > 0 ? SSHTestServer.children(of: pid).count : 0
    }

    /// Ends every session (as a far side that restarted or dropped the connection would);
    /// sshd keeps listening for new logins.
    public func endSessions() {
        let pid = lock.withLock { self.pid }
        guard pid > 0 else { return }
        for child in SSHTestServer.children(of: pid) { kill(child, SIGTERM) }
    }

    /// Ends the listening sshd and every session it started, and removes the folder.
    public func stop() {
        let pid = lock.withLock {
            defer { self.pid = 0 }
            return self.pid
        }
        guard pid > 0 else { return }
        // Sessions are children of the listener (each in a session of its own): end them first.
        for child in SSHTestServer.children(of: pid) { kill(child, SIGTERM) }
        kill(pid, SIGTERM)
        // sshd deletes its pidfile as it exits: removing the folder meanwhile could trip over
        // that, so wait for it (it is not our child; it is gone or a zombie of init's).
        let deadline = ContinuousClock.now + .seconds(10)
        while SSHTestServer.isRunning(pid) && ContinuousClock.now < deadline { HangGuard.tick(seconds: 0.01) }
        for _ in 0..<3 where FileManager.default.fileExists(atPath: folder) {
            try? FileManager.default.removeItem(atPath: folder)
        }
    }

    private static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    // MARK: - Private

    private static func run(_ program: String, _ arguments: [String]) throws {
        let result = try ChildProcess(executable: program, arguments: arguments, timeout: .seconds(30)).runBlocking()
        guard result.succeeded else {
            throw HTTPTestServerError("\(program) \(arguments.joined(separator: " ")) failed: \(result.stderrText)")
        }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestServerError("socket failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw HTTPTestServerError("bind failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The daemon writes its pidfile just after it detaches; the listener is bound by then.
    private static func waitForPid(_ path: String) -> pid_t? {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
                return pid
            }
            HangGuard.tick(seconds: 0.01)
        }
        return nil
    }

    private static func children(of parent: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == parent ? pid : nil
        }
    }
}
