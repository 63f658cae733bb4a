import BerthSystem
import Foundation
import Glibc

/// A real git remote for the tests: a bare repository (served as file:// or through
/// `git daemon` on 127.0.0.1) and a work clone to commit and push from.
final class GitRemote: @unchecked Sendable {
    let root: String
    var bare: String { root + "/remote/deploy.git" }
    var work: String { root + "/work" }
    var fileURL: String { "file://" + bare }
    private(set) var port: Int32 = 0

    init(root: String) throws {
        self.root = root
        try FileManager.default.createDirectory(atPath: root + "/remote", withIntermediateDirectories: true)
        try git(["init", "--quiet", "--bare", "--initial-branch=main", bare])
        try git(["init", "--quiet", "--initial-branch=main", work])
    }

    /// A plain environment: no user or system config of the machine running the tests.
    var environment: [String: String] {
        ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": root, "GIT_CONFIG_NOSYSTEM": "1",
         "GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com", "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com"]
    }

    @discardableResult
    func git(_ arguments: [String]) throws -> String {
        let result = try ChildProcess(executable: "git", arguments: arguments, environment: environment, timeout: .seconds(120)).runBlocking()
        guard result.succeeded else { throw GitError(command: arguments.joined(separator: " "), message: result.stderrText) }
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes (or, with nil, removes) files under the work clone, commits and pushes; the commit's hash.
    @discardableResult
    func commit(_ message: String, _ files: [String: String?]) throws -> String {
        for (path, text) in files {
            let full = work + "/" + path
            if let text {
                try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: full, atomically: true, encoding: .utf8)
            } else {
                try? FileManager.default.removeItem(atPath: full)
            }
        }
        try git(["-C", work, "add", "-A"])
        try git(["-C", work, "commit", "--quiet", "-m", message])
        try git(["-C", work, "push", "--quiet", "--force", bare, "HEAD:refs/heads/main"])
        return try git(["-C", work, "rev-parse", "HEAD"])
    }

    /// `git push --force` of an older commit: the branch goes back.
    func forcePush(_ hash: String) throws {
        try git(["-C", work, "reset", "--quiet", "--hard", hash])
        try git(["-C", work, "push", "--quiet", "--force", bare, "HEAD:refs/heads/main"])
    }

    /// `git daemon` on a free port of 127.0.0.1, detached (its pid in a file, for `remove`);
    /// the URL of the repository through it.
    func serve() throws -> String {
        port = try GitRemote.freePort()
        try git(["daemon", "--detach", "--pid-file=" + root + "/daemon.pid", "--reuseaddr", "--base-path=" + root + "/remote", "--export-all",
                 "--port=\(port)", "--listen=127.0.0.1", root + "/remote"])
        return "git://127.0.0.1:\(port)/deploy.git"
    }

    /// Whether the daemon answers: `git ls-remote` through it.
    func daemonAnswers() -> Bool {
        (try? git(["ls-remote", "git://127.0.0.1:\(port)/deploy.git"])) != nil
    }

    func remove() {
        if let text = try? String(contentsOfFile: root + "/daemon.pid", encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 {
            Glibc.kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    static func freePort() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SystemError.current("bind", path: "127.0.0.1") }
        return Int32(UInt16(bigEndian: address.sin_port))
    }
}
