import Foundation
import Testing
import BerthKube

/// Every refusal is one line that names the file, the place in it, and what to do.
@Suite("Kubeconfig errors")
struct KubeconfigErrorTests {
    /// A one-context config whose cluster and user parts the test fills in.
    func config(cluster: String = "server: https://10.0.0.1:6443", user: String = "token: t") -> String {
        """
        clusters:
        - name: prod
          cluster:
            \(cluster)
        users:
        - name: admin
          user:
            \(user)
        contexts:
        - name: prod-admin
          context:
            cluster: prod
            user: admin
        - name: staging
          context:
            cluster: prod
        current-context: prod-admin
        """
    }

    /// The message loading `text` as the only kubeconfig fails with; "FILE" stands for its path.
    func failure(_ text: String, context: String? = nil) throws -> String? {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let file = try fixture.write("config", text)
        return errorMessage { _ = try KubeconfigLoader(kubeconfig: file, context: context, environment: [:]).load() }?
            .replacingOccurrences(of: file, with: "FILE")
    }

    @Test func unknownContextListsTheKnownOnesAndGuesses() throws {
        #expect(try failure(config(), context: "prod-admn") == "context \"prod-admn\" (from --context) not found in FILE; "
            + "known contexts: prod-admin, staging; did you mean \"prod-admin\"?")
        #expect(try failure(config(), context: "qa") == "context \"qa\" (from --context) not found in FILE; "
            + "known contexts: prod-admin, staging")
    }

    @Test(arguments: [
        ("exec:\n      command: aws", "an exec plugin"),
        ("auth-provider:\n      name: gcp", "the auth provider \"gcp\""),
        ("username: admin\n    password: hunter2", "a username and password"),
        ("token: t\n    as: system:admin", "impersonation (`as`)"),
    ])
    func credentialsBerthDoesNotSpeakPointToKubeProxy(_ user: String, _ kind: String) throws {
        #expect(try failure(config(user: user)) == "user \"admin\" of context \"prod-admin\" (FILE: users[0]) uses \(kind), "
            + "which berth does not run itself; use --kube-proxy to let kubectl authenticate")
    }

    @Test(arguments: [
        ("client-certificate-data: bm90IGEgY2VydA==\n    client-key-data: not*base64!",
         "FILE: users[0].user.client-key-data: not valid base64"),
        ("token: 12345", "FILE: users[0].user.token: expected a string, got a number"),
        ("client-certificate-data: bm90IGEgY2VydA==", "user \"admin\" of context \"prod-admin\" (FILE: users[0]) sets client-certificate "
            + "but no client-key; a client certificate needs its key"),
        ("tokenFile: /nonexistent/berth-token", "cannot read the token file /nonexistent/berth-token (FILE: users[0].user.tokenFile)"),
    ])
    func badUserCredentials(_ user: String, _ message: String) throws {
        #expect(try failure(config(user: user)) == message)
    }

    @Test(arguments: [
        ("insecure-skip-tls-verify: \"yes\"", "FILE: clusters[0].cluster.insecure-skip-tls-verify: expected true or false, got a string"),
        ("certificate-authority: /nonexistent/ca.pem\n    server: https://h",
         "cannot read the certificate authority /nonexistent/ca.pem (FILE: clusters[0].cluster.certificate-authority)"),
        ("certificate-authority-data: \"%%%\"\n    server: https://h", "FILE: clusters[0].cluster.certificate-authority-data: not valid base64"),
        ("insecure-skip-tls-verify: true", "cluster \"prod\" (FILE: clusters[0]) has no server; set clusters[0].cluster.server"),
    ])
    func badClusters(_ cluster: String, _ message: String) throws {
        #expect(try failure(config(cluster: cluster)) == message)
    }

    @Test func proxyURLPointsToKubeProxy() throws {
        #expect(try failure(config(cluster: "proxy-url: http://proxy.corp:3128\n    server: https://h"))
            == "cluster \"prod\" (FILE: clusters[0]) is reached through proxy-url, which berth does not do itself; "
            + "use --kube-proxy to let kubectl connect")
    }

    @Test func missingClusterAndUserAreNamed() throws {
        let text = """
        current-context: a
        contexts:
        - name: a
          context: {cluster: gone, user: admin}
        - name: b
          context: {user: admin}
        - name: c
          context: {cluster: real, user: ghost}
        clusters:
        - name: real
          cluster: {server: "https://h"}
        """
        #expect(try failure(text) == "context \"a\" (FILE: contexts[0]) uses cluster \"gone\", which is not defined in FILE")
        #expect(try failure(text, context: "b") == "context \"b\" (FILE: contexts[1]) names no cluster")
        #expect(try failure(text, context: "c") == "context \"c\" (FILE: contexts[2]) uses user \"ghost\", which is not defined in FILE")
    }

    @Test func yamlErrorsCarryFileLineAndColumn() throws {
        #expect(try failure("clusters:\n- name: a\n\tcluster: {}\n") == "FILE:3:1: tabs are not allowed for indentation; use spaces")
        #expect(try failure("users:\n- name: !!str a\n") == "FILE:2:9: tags (`!`) are not supported")
        #expect(try failure("- just\n- a list\n") == "FILE: expected a mapping at the top level, got a sequence")
    }

    @Test func noCurrentContextAsksForOne() throws {
        let text = config().replacingOccurrences(of: "current-context: prod-admin", with: "")
        #expect(try failure(text) == "no context selected: FILE sets no current-context; give --context (known contexts: prod-admin, staging)")
    }

    @Test func noKubeconfigSaysWhereBerthLooked() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let home = errorMessage { _ = try KubeconfigLoader(environment: ["HOME": fixture.path]).load() }
        #expect(home == "no kubeconfig found (looked at \(fixture.path)/.kube/config; missing or empty) and not running in a cluster "
            + "(KUBERNETES_SERVICE_HOST is not set); give --kubeconfig, set KUBECONFIG, or use --kube-proxy")
        let list = "\(fixture.path)/a::\(fixture.path)/b"
        let listed = errorMessage { _ = try KubeconfigLoader(context: "x", environment: ["KUBECONFIG": list]).load() }
        #expect(listed == "no kubeconfig found to select --context x from (looked at $KUBECONFIG: \(fixture.path)/a, "
            + "\(fixture.path)/b; missing or empty); give --kubeconfig or set KUBECONFIG")
        let explicit = errorMessage { _ = try KubeconfigLoader(kubeconfig: fixture.path + "/c", environment: [:]).load() }
        #expect(explicit == "the kubeconfig \(fixture.path)/c given with --kubeconfig does not exist")
    }
}
