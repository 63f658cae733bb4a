import Foundation
import Testing
import BerthHTTP
import BerthKube

#if canImport(Glibc)
import Glibc
#endif

/// `kubectl proxy` as a child, played by a stub that serves HTTP on the Unix socket it is
/// given, the way the real one does.
@Suite("kubectl proxy", .timeLimit(.minutes(5)))
struct KubeProxyTests {
    /// A Python HTTP server on `--unix-socket`, answering every GET with its path and the
    /// arguments the stub got, so a test sees what berth passed to kubectl.
    static let server = """
    import os, signal, socketserver, sys, http.server
    args = sys.argv[1:]
    path = next(a.split("=", 1)[1] for a in args if a.startswith("--unix-socket="))
    # The parent-death signal is per thread and new threads start without it, so it
    # is read here, on the main thread, where setpriv set it.
    import ctypes
    death_signal = ctypes.c_int(0)
    ctypes.CDLL(None).prctl(2, ctypes.byref(death_signal))  # PR_GET_PDEATHSIG
    if os.environ.get("STUB_IGNORE_TERM"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_GET(self):
            body = (self.path + " " + " ".join(args)).encode()
            if self.path == "/pdeathsig":
                body = str(death_signal.value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *ignored):
            pass
    class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
        daemon_threads = True
    Server(path, Handler).serve_forever()
    """

    /// Writes the stub kubectl into `fixture`; `exec` keeps its pid the one berth signals.
    func stubKubectl(_ fixture: KubeFixture) throws -> String {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let script = try fixture.write("stub.py", KubeProxyTests.server)
        return try fixture.write("kubectl", "#!/bin/sh\nexec \(try #require(python)) \(script) \"$@\"\n", executable: true)
    }

    /// Whether a process with this id still exists (a reaped child does not).
    func exists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    @Test func servesTheAPIOnAUnixSocketUntilStopped() async throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let stub = try stubKubectl(fixture)
        let proxy = try await KubeProxy.start(kubeconfig: "/etc/k/config", context: "dev", environment: ["BERTH_KUBECTL": stub])
        #expect(proxy.socketPath.utf8.count <= HTTPEndpoint.maximumUnixPathLength)
        let client = HTTPClient(endpoint: .unix(path: proxy.socketPath), timeout: .seconds(20))
        let response = try await client.send(HTTPRequest(method: "GET", path: "/api/v1/namespaces"))
        #expect(response.status == 200)
        #expect(response.bodyText == "/api/v1/namespaces proxy --unix-socket=\(proxy.socketPath) --api-prefix=/ "
            + "--kubeconfig=/etc/k/config --context=dev")
        #expect(proxy.isRunning)

        await proxy.stop()
        #expect(!exists(proxy.processIdentifier))
        #expect(!FileManager.default.fileExists(atPath: proxy.socketPath))
        // SIGTERM itself ended it: the child must not inherit the blocked signals of
        // Swift's worker threads, or kubectl would only ever die by SIGKILL.
        #expect(proxy.exitReason == "killed by signal 15")
    }

    /// The kernel ends the child when berth dies, even by SIGKILL, which no cleanup
    /// code of berth's could do; setpriv is what sets that up.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func theChildIsToldToDieWithBerth() async throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let proxy = try await KubeProxy.start(environment: ["BERTH_KUBECTL": try stubKubectl(fixture)])
        let client = HTTPClient(endpoint: .unix(path: proxy.socketPath), timeout: .seconds(20))
        let response = try await client.send(HTTPRequest(method: "GET", path: "/pdeathsig"))
        #expect(response.bodyText == "\(SIGTERM)")
        await proxy.stop()
    }

    @Test func aChildThatExitsAtOnceReportsWhatItSaid() async throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let stub = try fixture.write("kubectl", """
        #!/bin/sh
        echo 'error: context "dev" does not exist' >&2
        exit 3
        """, executable: true)
        let notified = Flag()
        let message: String
        do {
            _ = try await KubeProxy.start(context: "dev", environment: ["BERTH_KUBECTL": stub]) { _ in notified.set() }
            message = "started"
        } catch {
            message = "\(error)"
        }
        #expect(message == "kubectl proxy (\(stub)) exited with status 3: error: context \"dev\" does not exist")
        // The error is the report; a second one through onExit would say it twice.
        #expect(!notified.isSet)
    }

    @Test func theChildInheritsNoDescriptorsOfBerth() async throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        // A descriptor opened without O_CLOEXEC, as a careless library might.
        let leaked = open(fixture.path, O_RDONLY)
        try #require(leaked >= 0)
        // F_DUPFD takes the lowest free number from 77 up; dup2 would close whatever another
        // test running beside this one has open as 77 (a socket), and close it again later.
        let high = fcntl(leaked, F_DUPFD, 77)
        close(leaked)
        try #require(high >= 77)
        defer { close(high) }
        let stub = try fixture.write("kubectl", "#!/bin/sh\nls /proc/$$/fd >&2\nexit 3\n", executable: true)
        let message: String
        do {
            _ = try await KubeProxy.start(environment: ["BERTH_KUBECTL": stub])
            message = "started"
        } catch {
            message = "\(error)"
        }
        let prefix = "kubectl proxy (\(stub)) exited with status 3: "
        #expect(message.hasPrefix(prefix))
        let descriptors = message.dropFirst(prefix.count).components(separatedBy: " | ")
        #expect(descriptors.contains("2"))
        #expect(!descriptors.contains(String(high)))
    }

    @Test func aChildThatDiesLaterIsNoticed() async throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let (reasons, continuation) = AsyncStream.makeStream(of: String.self)
        let proxy = try await KubeProxy.start(environment: ["BERTH_KUBECTL": try stubKubectl(fixture)]) { reason in
            continuation.yield(reason)
        }
        kill(proxy.processIdentifier, SIGKILL)
        var iterator = reasons.makeAsyncIterator()
        #expect(await iterator.next() == "killed by signal 9")
        #expect(proxy.exitReason == "killed by signal 9")
        #expect(!proxy.isRunning)
        await proxy.stop()
        #expect(!FileManager.default.fileExists(atPath: proxy.socketPath))
    }

    @Test func stopKillsAChildThatIgnoresSIGTERM() async throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let notified = Flag()
        let environment = ["BERTH_KUBECTL": try stubKubectl(fixture), "STUB_IGNORE_TERM": "1"]
        let proxy = try await KubeProxy.start(environment: environment) { _ in notified.set() }
        await proxy.stop(grace: .milliseconds(300))
        #expect(!exists(proxy.processIdentifier))
        #expect(proxy.exitReason == "killed by signal 9")
        // Stopping on purpose is not news for the caller.
        #expect(!notified.isSet)
    }

    @Test func kubectlIsFoundOnPathUnlessOverridden() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let onPath = try fixture.write("bin/kubectl", "#!/bin/sh\n", executable: true)
        let path = "/nonexistent:\(fixture.path)/bin"
        #expect(try KubeProxy.locateKubectl(nil, environment: ["PATH": path]) == onPath)
        #expect(try KubeProxy.locateKubectl(nil, environment: ["PATH": path, "BERTH_KUBECTL": "/opt/k"]) == "/opt/k")
        #expect(try KubeProxy.locateKubectl("/usr/local/bin/kubectl", environment: ["PATH": path]) == "/usr/local/bin/kubectl")
        #expect(errorMessage { _ = try KubeProxy.locateKubectl(nil, environment: ["PATH": "/nonexistent"]) }
            == "--kube-proxy needs kubectl, but there is no kubectl on PATH; install it or set BERTH_KUBECTL")
    }
}

/// A flag set from a callback on another thread and read by the test.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
