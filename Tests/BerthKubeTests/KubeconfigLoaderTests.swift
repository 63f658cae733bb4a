import Foundation
import Testing
import BerthKube

/// Finding, merging and selecting kubeconfig files the way kubectl does.
@Suite("Kubeconfig loading")
struct KubeconfigLoaderTests {
    let ca = fakePEM("CERTIFICATE", "Y2EtY2VydGlmaWNhdGU=")
    let cert = fakePEM("CERTIFICATE", "Y2xpZW50LWNlcnQ=")
    let key = fakePEM("RSA PRIVATE KEY", "Y2xpZW50LWtleQ==")

    /// What `kind create cluster` and `kubectl config view --raw` write.
    func kindConfig(namespace: String = "payments") -> String {
        """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: \(base64(ca))
            server: https://127.0.0.1:40123
            tls-server-name: kubernetes
          name: kind-dev
        contexts:
        - context:
            cluster: kind-dev
            namespace: \(namespace)
            user: kind-dev
          name: kind-dev
        - context:
            cluster: kind-dev
            user: robot
          name: robot
        current-context: kind-dev
        kind: Config
        preferences: {}
        users:
        - name: kind-dev
          user:
            client-certificate-data: \(base64(cert))
            client-key-data: "\(base64(key))"
        - name: robot
          user:
            token: 'robot-secret-token'
        """
    }

    @Test func homeConfigAsKindWritesIt() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let file = try fixture.write(".kube/config", kindConfig())
        let settings = try KubeconfigLoader(environment: ["HOME": fixture.path]).load()
        #expect(settings.server == .init(scheme: "https", host: "127.0.0.1", port: 40123))
        #expect(settings.caPEM == Array(ca.utf8))
        #expect(settings.clientCertificatePEM == Array(cert.utf8))
        #expect(settings.clientKeyPEM == Array(key.utf8))
        #expect(settings.token == nil)
        #expect(settings.tlsServerName == "kubernetes")
        #expect(settings.insecureSkipVerify == false)
        #expect(settings.namespace == "payments")
        #expect(settings.credentialsDescription == "user \"kind-dev\" of context \"kind-dev\" (client certificate from \(file))")
    }

    @Test func contextFlagOverridesCurrentContextAndNamespaceDefaults() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let file = try fixture.write("config", kindConfig())
        let settings = try KubeconfigLoader(kubeconfig: file, context: "robot", environment: [:]).load()
        #expect(settings.token == "robot-secret-token")
        #expect(settings.clientCertificatePEM == nil)
        #expect(settings.namespace == "default")
        #expect(settings.credentialsDescription == "user \"robot\" of context \"robot\" (bearer token from \(file))")
        // The description is what gets logged: it must never carry the token.
        #expect(!settings.description.contains("robot-secret-token"))
        #expect(!settings.credentialsDescription.contains("robot-secret-token"))
    }

    @Test func severalFilesMergeFirstDefinitionWins() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let first = try fixture.write("first.yaml", """
        clusters:
        - name: shared
          cluster:
            server: https://first.example:6443
        contexts:
        - name: work
          context: {cluster: shared, user: deployer, namespace: from-first}
        """)
        let second = try fixture.write("second.yaml", """
        current-context: work
        clusters:
        - name: shared
          cluster:
            server: https://second.example:6443
        contexts:
        - name: work
          context: {cluster: shared, user: nobody, namespace: from-second}
        users:
        - name: deployer
          user:
            token: deployer-token
        """)
        let list = "\(fixture.path)/missing.yaml:\(first)::\(second)"
        let settings = try KubeconfigLoader(environment: ["KUBECONFIG": list, "HOME": "/nonexistent"]).load()
        // current-context only in the second file; context and cluster from the first.
        #expect(settings.server.host == "first.example")
        #expect(settings.namespace == "from-first")
        #expect(settings.token == "deployer-token")
        #expect(settings.credentialsDescription == "user \"deployer\" of context \"work\" (bearer token from \(second))")
    }

    @Test func currentContextComesFromTheFirstFileThatSetsIt() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        func config(_ name: String) -> String {
            """
            current-context: \(name)
            clusters:
            - name: \(name)
              cluster: {server: "https://\(name).example"}
            contexts:
            - name: \(name)
              context: {cluster: \(name)}
            """
        }
        let a = try fixture.write("a", config("alpha"))
        let b = try fixture.write("b", config("beta"))
        let ab = try KubeconfigLoader(environment: ["KUBECONFIG": "\(a):\(b)"]).load()
        let ba = try KubeconfigLoader(environment: ["KUBECONFIG": "\(b):\(a)"]).load()
        #expect(ab.server == .init(scheme: "https", host: "alpha.example", port: 443))
        #expect(ba.server == .init(scheme: "https", host: "beta.example", port: 443))
        #expect(ab.credentialsDescription == "context \"alpha\" with no user (no credentials)")
    }

    @Test func relativePathsAreRelativeToTheirFile() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        try fixture.write("conf/certs/ca.pem", ca)
        try fixture.write("client.pem", cert)
        try fixture.write("conf/client.key", key)
        try fixture.write("conf/token", "first-token\n")
        let file = try fixture.write("conf/config", """
        clusters:
        - name: c
          cluster:
            server: https://10.0.0.1:6443/k8s/
            certificate-authority: certs/ca.pem
        users:
        - name: u
          user:
            client-certificate: ../client.pem
            client-key: client.key
            tokenFile: token
        contexts:
        - name: x
          context:
            cluster: c
            user: u
        current-context: x
        """)
        let settings = try KubeconfigLoader(environment: ["KUBECONFIG": file]).load()
        #expect(settings.server == .init(scheme: "https", host: "10.0.0.1", port: 6443, pathPrefix: "/k8s"))
        #expect(settings.caPEM == Array(ca.utf8))
        #expect(settings.clientCertificatePEM == Array(cert.utf8))
        #expect(settings.clientKeyPEM == Array(key.utf8))
        #expect(settings.token == "first-token")
        #expect(settings.tokenFile == "\(fixture.path)/conf/token")
        #expect(settings.credentialsDescription == "user \"u\" of context \"x\" "
            + "(client certificate \(fixture.path)/client.pem and bearer token file \(fixture.path)/conf/token)")
        // Rotated tokens are picked up without reloading the kubeconfig.
        try fixture.write("conf/token", "second-token\n")
        #expect(settings.currentToken() == "second-token")
    }

    @Test func kubeconfigTakesPrecedenceOverInCluster() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        try fixture.write(".kube/config", kindConfig())
        let environment = ["HOME": fixture.path, "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let settings = try KubeconfigLoader(environment: environment, serviceAccountDirectory: fixture.path + "/none").load()
        #expect(settings.server.host == "127.0.0.1")
    }

    @Test(arguments: [
        ("https://[::1]:6443/", KubeConnectionSettings.Server(scheme: "https", host: "::1", port: 6443)),
        ("http://localhost", .init(scheme: "http", host: "localhost", port: 80)),
        ("10.0.0.1:6443", .init(scheme: "https", host: "10.0.0.1", port: 6443)),
        ("HTTPS://api.example/prefix//", .init(scheme: "https", host: "api.example", port: 443, pathPrefix: "/prefix")),
    ])
    func serverURLs(_ text: String, _ expected: KubeConnectionSettings.Server) throws {
        #expect(try KubeConnectionSettings.Server(parsing: text, origin: "f") == expected)
    }

    @Test(arguments: [
        ("ftp://host", "f: server \"ftp://host\" has scheme \"ftp\"; expected https or http"),
        ("https://host:99999", "f: server \"https://host:99999\" has port \"99999\"; expected a number from 1 to 65535"),
        ("https://:6443", "f: server \"https://:6443\" has no host"),
        ("https://admin:s3cret@api.example", "f: server has user information; put credentials under users instead"),
    ])
    func badServerURLs(_ text: String, _ message: String) {
        #expect(errorMessage { _ = try KubeConnectionSettings.Server(parsing: text, origin: "f") } == message)
    }
}
