import BerthCommands
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// Connecting as kubectl does: a wrong CA, a missing client certificate and a bad token are
/// refused with one clear line; client certificates work; `--kube-proxy` goes through a
/// `kubectl proxy` child.
@Suite struct KubeConnectTests {
    @Test func aServerSignedByAnotherCAIsRefusedClearly() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.writeKubeconfig(ca: p.certificates.otherCAPEM)
        try p.write("web.json", p.spec("web"))
        let run = await p.berth("plan")
        #expect(run.status == 1)
        #expect(run.stderr.contains("the server's certificate is not signed by the given CA"), "\(run.stderr)")
        #expect(p.server.requests.isEmpty)
    }

    @Test func clientCertificatesFromTheKubeconfigAreAcceptedAndTheirAbsenceNamed() async throws {
        let p = try KubeProject(clientCertificates: true)
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        let without = await p.berth("plan")
        #expect(without.status == 1)
        #expect(without.stderr.contains("the server requires a client certificate and none was configured"), "\(without.stderr)")
        try p.writeKubeconfig(client: true)
        let with = await p.berth("apply")
        #expect(with.status == 0, "\(with.stdout)\(with.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "web") != nil)
    }

    @Test func aRejectedTokenSaysWhichCredentialsWereUsed() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.writeKubeconfig(token: "not-the-token")
        try p.write("web.json", p.spec("web"))
        let run = await p.berth("plan")
        #expect(run.status == 1)
        #expect(run.stderr.contains("401 Unauthorized"), "\(run.stderr)")
        #expect(run.stderr.contains(#"user "tester" of context "test""#), "\(run.stderr)")
        #expect(!run.stderr.contains("not-the-token"))
    }

    @Test func theContextsNamespaceIsTheDefault() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        _ = try p.server.createNamespace("team-a")
        try p.writeKubeconfig(namespace: "team-a")
        try p.write("web.json", p.spec("web", ports: []))
        #expect(await p.berth("apply").status == 0)
        #expect(p.server.deployment(namespace: "team-a", name: "web") != nil)
    }

    /// A stand-in for kubectl: `proxy --unix-socket=PATH` serves plain HTTP on the socket and
    /// forwards to the API server over TLS with the token, as kubectl proxy does.
    static let stubKubectl = #"""
    #!/usr/bin/env python3
    import os, socket, ssl, sys, threading
    path = next(a.split("=", 1)[1] for a in sys.argv if a.startswith("--unix-socket="))
    host, port = os.environ["STUB_UPSTREAM"].rsplit(":", 1)
    token = os.environ["STUB_TOKEN"]
    def pump(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data: break
                b.sendall(data)
        except OSError: pass
        finally:
            try: b.shutdown(socket.SHUT_WR)
            except OSError: pass
    def serve(client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(65536)
            if not chunk: return
            head += chunk
        line_end = head.index(b"\r\n")
        head = head[:line_end] + ("\r\nAuthorization: Bearer " + token).encode() + head[line_end:]
        context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
        upstream = context.wrap_socket(socket.create_connection((host, int(port))))
        upstream.sendall(head)
        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        pump(upstream, client)
        client.close()
    server = socket.socket(socket.AF_UNIX); server.bind(path); server.listen(16)
    while True:
        connection, _ = server.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()
    """#

    @Test func kubeProxyRunsKubectlProxyAndTalksPlainHTTPToIt() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        let stub = p.root.appendingPathComponent("kubectl").path
        try Self.stubKubectl.write(toFile: stub, atomically: true, encoding: .utf8)
        chmod(stub, 0o755)
        // The kubeconfig names no usable credentials: only the proxy has them.
        try p.writeKubeconfig(token: "unused")
        guard case .tcp(_, let port) = p.server.endpoint else { Issue.record("no port"); return }
        try p.write("web.json", p.spec("web", ports: []))
        let console = Console.capturing()
        let status = await BerthCLI.run(
            ["--specs", p.specs, "--state", p.state, "--owner", p.owner, "--kubeconfig", p.kubeconfig, "--kube-proxy",
             "--docker-host", "unix:///nonexistent/berth-test/docker.sock", "apply"],
            environment: ["HOME": p.root.path, "PATH": "/usr/bin:/bin", "BERTH_KUBECTL": stub,
                          "STUB_UPSTREAM": "127.0.0.1:\(port)", "STUB_TOKEN": p.server.token],
            console: console)
        #expect(status == 0, "\(console.stdout)\(console.stderr)")
        #expect(p.server.deployment(namespace: "default", name: "web") != nil)
    }
}
