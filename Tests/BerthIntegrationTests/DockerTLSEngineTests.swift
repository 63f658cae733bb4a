import BerthCommands
import BerthTestSupport
import Foundation
import Glibc
import Testing

/// Docker over tcp:// with DOCKER_TLS_VERIFY against the real engine: a TLS front that
/// demands a client certificate from the test CA (as `dockerd --tlsverify` does) forwards to
/// the engine's socket, and berth reaches it with ca.pem, cert.pem and key.pem from
/// DOCKER_CERT_PATH, as the docker CLI would.
@Suite struct DockerTLSEngineTests {
    static let front = #"""
    import os, select, socket, ssl, sys, threading
    certs, upstream = sys.argv[1], sys.argv[2]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs + "/server-cert.pem", certs + "/server-key.pem")
    context.load_verify_locations(certs + "/ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED
    listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(64)
    print(listener.getsockname()[1], flush=True)
    # One thread per connection moves both ways: an SSL socket read in one thread while
    # another writes it is not safe, and once garbled a kept-alive request into a 400.
    def serve(raw):
        try: client = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError): raw.close(); return
        engine = socket.socket(socket.AF_UNIX); engine.connect(upstream)
        try:
            while True:
                ready = [client] if client.pending() else select.select([client, engine], [], [])[0]
                if client in ready:
                    data = client.recv(65536)
                    if not data: break
                    engine.sendall(data)
                if engine in ready:
                    data = engine.recv(65536)
                    if not data: break
                    client.sendall(data)
        except (ssl.SSLError, OSError): pass
        finally:
            engine.close(); client.close()
    while True:
        connection, _ = listener.accept()
        threading.Thread(target=serve, args=(connection,), daemon=True).start()
    """#

    /// Starts the front in `folder` (its script is written there) for `certs`' server-cert.pem,
    /// server-key.pem and ca.pem, forwarding to `engine` (unix://); returns it and its port.
    static func startFront(in folder: String, certs: String, engine: String) throws -> (Process, String) {
        let script = folder + "/front.py"
        try front.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, certs, String(engine.dropFirst("unix://".count))]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let port = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (process, port)
    }

    @Test func applyReachesTheEngineOverTLSWithTheCertificatesFromDockerCertPath() async throws {
        let engine = try TestEngine()
        guard engine.host.hasPrefix("unix://") else { return }
        let project = try Project(engine: engine)
        let certs = project.root.appendingPathComponent("certs").path
        let clientCerts = project.root.appendingPathComponent("docker-certs").path
        try FileManager.default.createDirectory(atPath: certs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: clientCerts, withIntermediateDirectories: true)
        let made = try TestCertificates.shared()
        func save(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
        try save(made.serverCertificatePEM, certs + "/server-cert.pem")
        try save(made.serverKeyPEM, certs + "/server-key.pem")
        try save(made.caPEM, certs + "/ca.pem")
        try save(made.caPEM, clientCerts + "/ca.pem")

        let (front, port) = try Self.startFront(in: project.root.path, certs: certs, engine: engine.host)
        // SIGKILL: a child of a Swift process inherits a mask that blocks SIGTERM.
        defer { kill(front.processIdentifier, SIGKILL) }
        try project.write("web.json", project.spec("web"))

        func apply() async -> (Int32, String) {
            let console = Console.capturing()
            let status = await BerthCLI.run(
                ["--specs", project.specs, "--state", project.state, "--owner", project.owner,
                 "--docker-host", "tcp://127.0.0.1:\(port)", "apply"],
                environment: ["DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": clientCerts, "HOME": project.root.path],
                console: console)
            return (status, console.stdout + console.stderr)
        }
        // Without a client certificate the front refuses, as dockerd --tlsverify does.
        let refused = await apply()
        #expect(refused.0 == 1)
        #expect(refused.1.contains("client certificate") || refused.1.contains("TLS"), "\(refused.1)")
        try save(made.clientCertificatePEM, clientCerts + "/cert.pem")
        try save(made.clientKeyPEM, clientCerts + "/key.pem")
        let applied = await apply()
        #expect(applied.0 == 0, "\(applied.1)")
        let running = try await project.containers()
        #expect(running.map(\.state) == ["running"])
        await project.finish()
    }
}
