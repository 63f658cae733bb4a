import BerthCommands
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// A throwaway project against berth's test API server (no cluster can be installed here):
/// specs/ and state/ in a temp folder, a kubeconfig with the server's CA and token, and
/// berth run in process. No Docker Engine is given: a Kubernetes-only folder needs none.
final class KubeProject: @unchecked Sendable {
    let server: KubeTestServer
    let root: URL
    let owner: String
    let certificates: TestCertificates
    /// Given to berth besides HOME, e.g. BERTH_KUBE_PAGE_SIZE.
    let environment: [String: String]

    /// `establishDelay`: see `KubeTestServer.init`; nil holds CRDs until the test establishes them.
    /// `finalizationDelay`: how long a deleted namespace stays Terminating (see `KubeTestServer.init`).
    init(clientCertificates: Bool = false, environment: [String: String] = [:],
         establishDelay: Duration? = .milliseconds(300), finalizationDelay: Duration = .seconds(1)) throws {
        self.environment = environment
        certificates = try TestCertificates.shared()
        server = KubeTestServer(finalizationDelay: finalizationDelay, establishDelay: establishDelay,
                                tls: certificates.serverIdentity(requiringClientCertificates: clientCertificates))
        try server.start()
        owner = "k-" + String(UUID().uuidString.lowercased().prefix(8))
        root = FileManager.default.temporaryDirectory.appendingPathComponent("berth-" + owner)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("specs"), withIntermediateDirectories: true)
        try writeKubeconfig()
    }

    var specs: String { root.appendingPathComponent("specs").path }
    var state: String { root.appendingPathComponent("state").path }
    var kubeconfig: String { root.appendingPathComponent("kubeconfig").path }

    /// What kubectl writes: base64 -data fields, a context with its namespace.
    func writeKubeconfig(token: String? = nil, ca: [UInt8]? = nil, client: Bool = false, namespace: String = "default") throws {
        var user = "    token: \(token ?? server.token)\n"
        if client {
            user += "    client-certificate-data: \(Data(certificates.clientCertificatePEM).base64EncodedString())\n"
            user += "    client-key-data: \(Data(certificates.clientKeyPEM).base64EncodedString())\n"
        }
        let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - cluster:
            certificate-authority-data: \(Data(ca ?? certificates.caPEM).base64EncodedString())
            server: \(server.url)
          name: test
        contexts:
        - context:
            cluster: test
            namespace: \(namespace)
            user: tester
          name: test
        current-context: test
        users:
        - name: tester
          user:
        \(user)
        """
        try text.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
    }

    func write(_ file: String, _ text: String) throws {
        let url = root.appendingPathComponent("specs").appendingPathComponent(file)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func remove(_ file: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent("specs").appendingPathComponent(file))
    }

    /// A portable spec: a Deployment, and a Service for its port.
    func spec(_ name: String, replicas: Int = 2, env: [String: String] = ["MODE": "a"], ports: [String] = ["8080:80"]) -> String {
        let envText = env.keys.sorted().map { "\"\($0)\": \"\(env[$0]!)\"" }.joined(separator: ", ")
        let portText = ports.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
        {"name": "\(name)", "target": "kubernetes", "image": "nginx:1.25", "replicas": \(replicas),
         "env": {\(envText)}, "ports": [\(portText)]}
        """
    }

    @discardableResult
    func berth(_ args: String...) async -> Project.Run {
        let console = Console.capturing()
        let argv = ["--specs", specs, "--state", state, "--owner", owner, "--kubeconfig", kubeconfig,
                    "--docker-host", "unix:///nonexistent/berth-test/docker.sock"] + args
        let status = await BerthCLI.run(argv, environment: environment.merging(["HOME": root.path]) { _, home in home },
                                        console: console)
        return Project.Run(status: status, stdout: console.stdout, stderr: console.stderr)
    }

    /// Requests berth sent with this method whose path contains `path`.
    func requests(_ method: String, _ path: String = "") -> [KubeRecordedRequest] {
        // The owner's Lease is berth's lock, not a change to what the specs describe: asked for by name only.
        server.requests.filter {
            $0.method == method && (path.isEmpty ? !$0.path.contains("/leases/") : $0.path.contains(path))
        }
    }

    /// What a user checks after an apply: `plan --detailed-exitcode` says 0, and another
    /// apply sends no apply patch.
    func expectConverged(sourceLocation: SourceLocation = #_sourceLocation) async {
        let plan = await berth("plan", "--detailed-exitcode")
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)", sourceLocation: sourceLocation)
        let before = requests("PATCH").count
        #expect(await berth("apply").status == 0, sourceLocation: sourceLocation)
        #expect(requests("PATCH").count == before, "a converged apply sends no apply patch", sourceLocation: sourceLocation)
    }

    func finish() {
        server.stop()
        try? FileManager.default.removeItem(at: root)
    }
}
