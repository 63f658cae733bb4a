#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// Runs a program to completion and collects what it printed: `posix_spawn` with pipes, a
/// `poll` loop over stdout and stderr, `waitpid`, and SIGKILL when the time limit passes.
///
/// Foundation's `Process` is not used: it crashed inside `Process.run` under load when two
/// threads spawned at once. Here each run is one blocking call on the caller's thread (run
/// it off the cooperative pool, see `ChildProcess.run(…) async`), with no shared state.
public struct ChildProcess: Sendable {
    /// How a run ended.
    public struct Result: Sendable, Equatable {
        /// The exit status, or nil when the child was killed by a signal.
        public var status: Int32?
        /// The signal that ended the child, when one did (SIGKILL after a timeout).
        public var signal: Int32?
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// True when berth killed the child because it ran past the time limit.
        public var timedOut: Bool

        public var succeeded: Bool { status == 0 }
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// The program: an absolute path, or a name looked up in `PATH` of `environment`.
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment (nothing else is inherited).
    public var environment: [String: String]
    public var workingDirectory: String?
    public var timeout: Duration
    /// The most bytes kept of each stream; the rest is read and dropped so the child never blocks.
    public var outputLimit = 16 << 20

    public init(executable: String, arguments: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
                workingDirectory: String? = nil, timeout: Duration = .seconds(120)) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
    }

    /// Runs the child on a thread of its own, so a slow child never holds a cooperative thread.
    public func run() async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            DetachedThread.start(name: "berth-child") {
                do { continuation.resume(returning: try self.runBlocking()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Runs the child and waits for it on the calling thread.
    ///
    /// - Throws: `SystemError` when the program cannot be found or started (the message names it).
    public func runBlocking() throws -> Result {
        guard let path = resolvedExecutable() else {
            throw SystemError(operation: "run", path: executable, errno: ENOENT)
        }
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard ChildProcess.pipeClosedOnExec(&out) == 0 else { throw SystemError.current("create a pipe for", path: executable) }
        guard ChildProcess.pipeClosedOnExec(&err) == 0 else {
            let error = SystemError.current("create a pipe for", path: executable)
            close(out[0]); close(out[1])
            throw error
        }
        var pid: pid_t = 0
        let spawnError = spawn(path, stdout: out[1], stderr: err[1], pid: &pid)
        close(out[1]); close(err[1])
        guard spawnError == 0 else {
            close(out[0]); close(err[0])
            throw SystemError(operation: "run", path: executable, errno: spawnError)
        }
        var result = Result(status: nil, signal: nil, stdout: [], stderr: [], timedOut: false)
        result.timedOut = collect(stdout: out[0], stderr: err[0], pid: pid, into: &result)
        close(out[0]); close(err[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7f
        if signal == 0 { result.status = (status >> 8) & 0xff } else { result.signal = signal }
        return result
    }

    /// Reads both pipes until both are closed; kills the child (and keeps reading until the
    /// pipes close) when the deadline passes. Returns whether it had to kill.
    private func collect(stdout: Int32, stderr: Int32, pid: pid_t, into result: inout Result) -> Bool {
        let deadline = ContinuousClock.now + timeout
        var killed = false
        // A grandchild (git's ssh) may hold a pipe after the kill: read on for a moment, no longer.
        let drainDeadline = deadline + .seconds(5)
        var open = [stdout: true, stderr: true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open.values.contains(true) {
            var fds = [stdout, stderr].filter { open[$0] == true }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let left = deadline - ContinuousClock.now
            if !killed && left <= .zero {
                // The whole process group: git's helpers (ssh, credential helpers) go too.
                kill(-pid, SIGKILL)
                killed = true
            }
            if killed && ContinuousClock.now >= drainDeadline { break }
            let (seconds, attoseconds) = (killed ? drainDeadline - ContinuousClock.now : left).components
            let wait = Int32(max(0, min(seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1, 60_000)))
            let ready = poll(&fds, nfds_t(fds.count), wait)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &buffer, buffer.count)
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if count <= 0 { open[entry.fd] = false; continue }
                let limit = outputLimit
                if entry.fd == stdout {
                    if result.stdout.count < limit { result.stdout += buffer[0..<min(count, limit - result.stdout.count)] }
                } else if result.stderr.count < limit {
                    result.stderr += buffer[0..<min(count, limit - result.stderr.count)]
                }
            }
        }
        return killed
    }

    /// stdin from /dev/null, stdout and stderr into the pipes, the working directory changed
    /// in the child only, and `Spawn`'s signal handling and process group; returns an errno.
    private func spawn(_ path: String, stdout: Int32, stderr: Int32, pid: inout pid_t) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        if let workingDirectory {
            // glibc 2.29+; looked up so that an older libc fails the run instead of the link.
            typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addchdir_np") else { return ENOSYS }
            let result = workingDirectory.withCString { unsafeBitCast(symbol, to: AddChdir.self)(&actions, $0) }
            if result != 0 { return result }
        }
        return Spawn.start([path] + arguments, environment: environment.map { "\($0.key)=\($0.value)" }, actions: &actions, pid: &pid)
    }

    /// pipe2(O_CLOEXEC): both ends closed in any other child another thread spawns meanwhile.
    /// Looked up at run time: Swift's Glibc module leaves out the _GNU_SOURCE declaration.
    public static func pipeClosedOnExec(_ fds: inout [Int32]) -> Int32 {
        typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
        guard let symbol = dlsym(nil, "pipe2") else { errno = ENOSYS; return -1 }
        return fds.withUnsafeMutableBufferPointer { unsafeBitCast(symbol, to: Pipe2.self)($0.baseAddress!, O_CLOEXEC) }
    }

    /// An absolute or relative path as given; a bare name searched in the child's PATH.
    func resolvedExecutable() -> String? {
        if executable.contains("/") { return access(executable, X_OK) == 0 ? executable : nil }
        return ChildProcess.find(executable, path: environment["PATH"])
    }

    /// The first executable called `name` in `path` (a PATH value; /usr/bin:/bin when nil).
    public static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":") where !folder.isEmpty {
            let candidate = folder + "/" + name
            if access(candidate, X_OK) == 0 && !FileSystem.isDirectory(candidate) { return candidate }
        }
        return nil
    }
}
