import Foundation
import Testing
import BerthHTTP
import BerthKube

#if canImport(Glibc)
import Glibc
import BerthTestSupport
#endif

/// The real `kubectl proxy`, when installed, in front of a stand-in API server on
/// loopback: proves the flags berth passes are ones kubectl accepts, and that kubectl
/// adds the kubeconfig's credentials on the way through.
@Suite("kubectl proxy, the real one", .timeLimit(.minutes(5)),
       .enabled(if: (try? KubeProxy.locateKubectl(nil, environment: ProcessInfo.processInfo.environment)) != nil),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct KubeProxyKubectlTests {
    /// Answers every GET with its path and Authorization header, over TLS with a fresh
    /// self-signed certificate (kubectl sends tokens only over TLS); writes its port to a
    /// file once it listens.
    static let apiServer = """
    import http.server, os, ssl, subprocess, sys
    folder = os.path.dirname(sys.argv[1])
    cert, key = folder + "/server.pem", folder + "/server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = (self.path + " " + str(self.headers.get("Authorization"))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *ignored):
            pass
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()
    """

    @Test func forwardsWithTheKubeconfigsToken() async throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let script = try fixture.write("api.py", KubeProxyKubectlTests.apiServer)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        server.arguments = [script, fixture.path + "/port"]
        try server.run()
        // SIGKILL: Foundation's children inherit the test thread's blocked SIGTERM.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var port: String?
        for _ in 0..<500 where port == nil {
            port = try? String(contentsOfFile: fixture.path + "/port", encoding: .utf8)
            if port == nil { await Poll.pause(.milliseconds(20)) }
        }
        let kubeconfig = try fixture.write("config", """
        clusters:
        - name: stand-in
          cluster:
            server: https://127.0.0.1:\(try #require(port))
            certificate-authority: server.pem
        users:
        - name: robot
          user:
            exec:
              command: /bin/false
        - name: deployer
          user:
            token: deployer-token
        contexts:
        - name: stand-in
          context: {cluster: stand-in, user: deployer}
        current-context: other
        """)
        let proxy = try await KubeProxy.start(kubeconfig: kubeconfig, context: "stand-in")
        let client = HTTPClient(endpoint: .unix(path: proxy.socketPath), timeout: .seconds(20))
        let response = try await client.send(HTTPRequest(method: "GET", path: "/api/v1/namespaces/default/pods"))
        await proxy.stop()
        #expect(response.status == 200)
        #expect(response.bodyText == "/api/v1/namespaces/default/pods Bearer deployer-token")
        #expect(proxy.exitReason != nil)
    }
}
