import BerthModel
import BerthSystem
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension KubeProxy {
    /// How a child ended, decoded from a `waitpid` status.
    static func describe(status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exited with status \((status >> 8) & 0xff)" : "killed by signal \(signal)"
    }

    /// Starts `argv` with a clean signal state and calls `exited` with its wait status
    /// when it ends; returns its pid.
    ///
    /// Foundation's `Process` is not used because its child inherits the spawning
    /// thread's signal mask, and Swift's worker threads block SIGTERM: kubectl (Go keeps an
    /// inherited mask) would then ignore `stop()`'s SIGTERM. Here the child gets an empty
    /// mask and default handlers, its own process group (a Ctrl-C aimed at berth is
    /// berth's to handle), stdin and stdout on /dev/null and stderr into `stderrPath`.
    ///
    /// The spawn and the `waitpid` happen on one dedicated thread that lives exactly as
    /// long as the child. That makes `setpriv --pdeathsig TERM`, used when installed, safe:
    /// the kernel signals the child when its parent *thread* ends, which is then only when
    /// berth itself dies (even by SIGKILL).
    static func spawnChild(_ argv: [String], environment: [String: String], stderrPath: String,
                           exited: @escaping @Sendable (Int32) -> Void) async throws(BerthError) -> pid_t {
        let setpriv = "/usr/bin/setpriv"
        let command = FileManager.default.isExecutableFile(atPath: setpriv) ? [setpriv, "--pdeathsig", "TERM", "--"] + argv : argv
        let environmentLines = environment.map { "\($0.key)=\($0.value)" }
        let (pid, error) = await withCheckedContinuation { (continuation: CheckedContinuation<(pid_t, Int32), Never>) in
            DetachedThread.start(name: "berth-kubectl-proxy") {
                var pid: pid_t = 0
                let error = spawn(command, environment: environmentLines, stderrPath: stderrPath, pid: &pid)
                continuation.resume(returning: (pid, error))
                guard error == 0 else { return }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                exited(status)
            }
        }
        guard error == 0 else {
            throw BerthError(.io, "cannot run \(argv[0])", cause: String(cString: strerror(error)))
        }
        return pid
    }

    /// `posix_spawn` with the file actions and attributes described above; returns an errno.
    private static func spawn(_ argv: [String], environment: [String], stderrPath: String, pid: inout pid_t) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // berth's sockets, journal and lock must not leak into a long-lived child.
        Spawn.closeOthers(&actions)

        return Spawn.start(argv, environment: environment, actions: &actions, pid: &pid)
    }
}
