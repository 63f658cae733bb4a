import BerthSystem
import FoundationEssentials
import Glibc
import BerthModel
import Synchronization

/// `kubectl proxy --unix-socket` run as a child, for credentials berth does not speak
/// itself (exec plugins, auth providers): kubectl authenticates, berth talks plain HTTP
/// to the socket, over the same Unix-socket transport it uses for Docker.
///
/// ```swift
/// let proxy = try await KubeProxy.start(kubeconfig: flags.kubeconfig, context: flags.context)
/// let client = HTTPClient(endpoint: .unix(path: proxy.socketPath))
/// ...
/// await proxy.stop()
/// ```
///
/// The socket lives in a fresh folder under /tmp, short enough for `sun_path`, readable
/// by this user only. A child that dies later is noticed: `exitReason` becomes non-nil and
/// `onExit` is called, so the caller can say "kubectl proxy exited: ...".
///
/// If berth dies without calling `stop()` (even by SIGKILL), the child gets SIGTERM from
/// the kernel when `setpriv` (util-linux) is installed to set `PR_SET_PDEATHSIG`; without
/// it the orphan lingers, holding only a socket in a private temp folder.
public final class KubeProxy: Sendable {
    /// The Unix socket kubectl serves the API on, without a prefix (`--api-prefix=/`).
    public let socketPath: String
    /// The child's process id, for logs; 0 until it has started.
    public var processIdentifier: Int32 { state.withLock { $0.processIdentifier } }
    /// The folder holding the socket and kubectl's stderr, removed by `stop()`.
    let directory: String
    private let state: Mutex<State>

    struct State {
        var processIdentifier: Int32 = 0
        /// Set once the child is reaped; from then on its pid is never signalled, since
        /// another process may have it.
        var exitReason: String?
        /// Whether an exit is news for the caller: only between serving and `stop()`.
        /// Before, `start` reports it by throwing; after, the caller asked for it.
        var notifies = false
    }

    init(socketPath: String, directory: String) {
        self.socketPath = socketPath
        self.directory = directory
        self.state = Mutex(State())
    }

    /// Why the child is gone, once it is: "exited with status 1: error: ...", or
    /// "killed by signal 9". Nil while it runs.
    public var exitReason: String? { state.withLock { $0.exitReason } }

    /// True while the child runs.
    public var isRunning: Bool { exitReason == nil }

    /// Which program runs as kubectl: `$BERTH_KUBECTL` (a documented setting: another kubectl binary), else `kubectl` if
    /// given, else the first `kubectl` on `$PATH`.
    public static func locateKubectl(_ kubectl: String?, environment: [String: String]) throws(BerthError) -> String {
        if let override = environment["BERTH_KUBECTL"], !override.isEmpty { return override }
        if let kubectl, kubectl.contains("/") { return kubectl }
        let name = kubectl ?? "kubectl"
        for folder in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw BerthError(.usage, "--kube-proxy needs kubectl, but there is no \(name) on PATH; install it or set BERTH_KUBECTL")
    }

    /// The arguments kubectl gets: serve the whole API on the socket, with the same
    /// kubeconfig and context berth was given.
    public static func arguments(socketPath: String, kubeconfig: String?, context: String?) -> [String] {
        var arguments = ["proxy", "--unix-socket=\(socketPath)", "--api-prefix=/"]
        if let kubeconfig { arguments.append("--kubeconfig=\(kubeconfig)") }
        if let context { arguments.append("--context=\(context)") }
        return arguments
    }

    /// Starts `kubectl proxy` and waits until its socket accepts connections.
    ///
    /// - Parameters:
    ///   - kubectl: a program name or path; `$BERTH_KUBECTL` overrides it.
    ///   - startTimeout: how long kubectl may take to open the socket.
    ///   - onExit: called once, on some thread, if the child exits after starting (not
    ///     after `stop()`), with the reason.
    /// - Throws: `BerthError` when kubectl cannot be found or run, exits before serving
    ///   (the message carries its stderr), or does not serve within `startTimeout`.
    public static func start(kubeconfig: String? = nil, context: String? = nil, kubectl: String? = nil,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             startTimeout: Duration = .seconds(30),
                             onExit: (@Sendable (String) -> Void)? = nil) async throws(BerthError) -> KubeProxy {
        let program = try locateKubectl(kubectl, environment: environment)
        guard FileManager.default.isExecutableFile(atPath: program) else {
            throw BerthError(.usage, "--kube-proxy needs kubectl, but \(program) is not an executable file")
        }
        let directory = try makeDirectory()
        let socketPath = directory + "/proxy.sock"
        let proxy = KubeProxy(socketPath: socketPath, directory: directory)
        let pid: pid_t
        do {
            pid = try await spawnChild([program] + arguments(socketPath: socketPath, kubeconfig: kubeconfig, context: context),
                                 environment: environment, stderrPath: directory + "/kubectl.stderr") { [weak proxy] status in
                proxy?.childExited(status: status, onExit: onExit)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        proxy.state.withLock { $0.processIdentifier = pid }
        try await proxy.waitUntilServing(program: program, timeout: startTimeout)
        let exitedMeanwhile = proxy.state.withLock { state -> String? in
            state.notifies = true
            return state.exitReason
        }
        if let exitedMeanwhile { onExit?(exitedMeanwhile) }
        return proxy
    }

    /// Records how the child ended and tells the caller, unless berth stopped it.
    private func childExited(status: Int32, onExit: (@Sendable (String) -> Void)?) {
        var how = KubeProxy.describe(status: status)
        if let errors = stderrTail() { how += ": \(errors)" }
        let notify = state.withLock { state -> Bool in
            state.exitReason = how
            return state.notifies
        }
        if notify { onExit?(how) }
    }

    /// The last lines kubectl wrote to stderr, joined into one line; nil when it wrote none.
    func stderrTail() -> String? {
        guard let data = FileManager.default.contents(atPath: directory + "/kubectl.stderr") else { return nil }
        let lines = String(decoding: data.suffix(2048), as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        return lines.isEmpty ? nil : lines.suffix(5).joined(separator: " | ")
    }

    /// Stops the child: SIGTERM, then SIGKILL if it is still there after `grace`; then
    /// removes the socket and its folder. Safe to call more than once.
    public func stop(grace: Duration = .seconds(5)) async {
        let pid = state.withLock { state -> Int32 in
            state.notifies = false
            return state.exitReason == nil ? state.processIdentifier : 0
        }
        if pid > 0 {
            kill(pid, SIGTERM)
            if await !waitForExit(within: grace) {
                kill(pid, SIGKILL)
                _ = await waitForExit(within: .seconds(10))
            }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Polls until the termination handler has run; false if `limit` passes first.
    func waitForExit(within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if !isRunning { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return !isRunning
    }

    deinit {
        // A proxy dropped without stop() must not leave kubectl running.
        let pid = state.withLock { $0.exitReason == nil ? $0.processIdentifier : 0 }
        if pid > 0 { kill(pid, SIGTERM) }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
