import BerthJSON
import Testing
import BerthYAML

/// Whole kubeconfig files as the tools that write them lay them out.
@Suite("Kubeconfig layouts")
struct KubeconfigTests {
    /// What `kubectl config view --raw` writes: sequences at their key's indentation,
    /// `preferences: {}`, and several kinds of user credentials.
    @Test func kubectlWrittenConfig() throws {
        let text = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=
            server: https://10.0.0.1:6443
          name: prod
        - cluster:
            insecure-skip-tls-verify: true
            server: https://127.0.0.1:8443
          name: dev
        contexts:
        - context:
            cluster: prod
            namespace: payments
            user: admin
          name: prod-admin
        - context:
            cluster: dev
            user: eks
          name: dev
        current-context: prod-admin
        kind: Config
        preferences: {}
        users:
        - name: admin
          user:
            client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
            client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==
        - name: robot
          user:
            token: eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln
        - name: eks
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              args:
              - eks
              - get-token
              - --cluster-name
              - prod
              command: aws
              env:
              - name: AWS_PROFILE
                value: "prod"
              interactiveMode: IfAvailable
              provideClusterInfo: false
        """
        let cluster: JSONValue = .object([
            "certificate-authority-data": .string("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM="),
            "server": .string("https://10.0.0.1:6443"),
        ])
        let exec: JSONValue = .object([
            "apiVersion": .string("client.authentication.k8s.io/v1beta1"),
            "args": .array([.string("eks"), .string("get-token"), .string("--cluster-name"), .string("prod")]),
            "command": .string("aws"),
            "env": .array([.object(["name": .string("AWS_PROFILE"), "value": .string("prod")])]),
            "interactiveMode": .string("IfAvailable"),
            "provideClusterInfo": .bool(false),
        ])
        let expected: JSONValue = .object([
            "apiVersion": .string("v1"),
            "clusters": .array([
                .object(["cluster": cluster, "name": .string("prod")]),
                .object([
                    "cluster": .object(["insecure-skip-tls-verify": .bool(true), "server": .string("https://127.0.0.1:8443")]),
                    "name": .string("dev"),
                ]),
            ]),
            "contexts": .array([
                .object([
                    "context": .object(["cluster": .string("prod"), "namespace": .string("payments"), "user": .string("admin")]),
                    "name": .string("prod-admin"),
                ]),
                .object(["context": .object(["cluster": .string("dev"), "user": .string("eks")]), "name": .string("dev")]),
            ]),
            "current-context": .string("prod-admin"),
            "kind": .string("Config"),
            "preferences": .object([:]),
            "users": .array([
                .object(["name": .string("admin"), "user": .object([
                    "client-certificate-data": .string("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"),
                    "client-key-data": .string("LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ=="),
                ])]),
                .object(["name": .string("robot"), "user": .object([
                    "token": .string("eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.c2ln"),
                ])]),
                .object(["name": .string("eks"), "user": .object(["exec": exec])]),
            ]),
        ])
        #expect(try YAMLParser.parse(text) == expected)
    }

    /// minikube's layout: sequences indented under their keys, file paths instead of
    /// embedded data, an `extensions` list, `---` and comments, CRLF line ends.
    @Test func minikubeStyleConfig() throws {
        let text = [
            "# written by minikube",
            "---",
            "apiVersion: v1",
            "clusters:",
            "    - cluster:",
            "        certificate-authority: /home/me/.minikube/ca.crt",
            "        extensions:",
            "            - extension:",
            "                last-update: Mon, 01 Jan 2024 10:00:00 UTC",
            "                provider: minikube.sigs.k8s.io",
            "                version: v1.32.0",
            "              name: cluster_info",
            "        server: https://192.168.49.2:8443   # the VM",
            "      name: minikube",
            "contexts:",
            "    - context:",
            "        cluster: minikube",
            "        namespace: default",
            "        user: minikube",
            "      name: minikube",
            "current-context: minikube",
            "kind: Config",
            "preferences: {}",
            "users:",
            "    - name: minikube",
            "      user:",
            "        client-certificate: /home/me/.minikube/profiles/minikube/client.crt",
            "        client-key: /home/me/.minikube/profiles/minikube/client.key",
            "...",
            "",
        ].joined(separator: "\r\n")
        let config = try YAMLParser.parse(text)
        let cluster = config["clusters"]?.arrayValue?.first
        #expect(cluster?["name"] == .string("minikube"))
        #expect(cluster?["cluster"]?["server"] == .string("https://192.168.49.2:8443"))
        #expect(cluster?["cluster"]?["certificate-authority"] == .string("/home/me/.minikube/ca.crt"))
        let extensionEntry = cluster?["cluster"]?["extensions"]?.arrayValue?.first
        #expect(extensionEntry?["name"] == .string("cluster_info"))
        #expect(extensionEntry?["extension"]?["last-update"] == .string("Mon, 01 Jan 2024 10:00:00 UTC"))
        #expect(extensionEntry?["extension"]?["version"] == .string("v1.32.0"))
        #expect(config["contexts"]?.arrayValue?.first?["context"]?["namespace"] == .string("default"))
        #expect(config["current-context"] == .string("minikube"))
        #expect(config["preferences"] == .object([:]))
        #expect(config["users"]?.arrayValue?.first?["user"]?["client-key"]
            == .string("/home/me/.minikube/profiles/minikube/client.key"))
        #expect(config.objectValue?.count == 7)
    }

    /// A config pasted together by hand: block scalar certificate, flow args, quoted keys.
    @Test func handEditedConfig() throws {
        let text = """
        users:
          - name: "dev user"
            user:
              exec: {command: kubelogin, apiVersion: client.authentication.k8s.io/v1}
              args: ["get-token", '--server-id', 42]
        certificate: |
          -----BEGIN CERTIFICATE-----
          MIIB
          -----END CERTIFICATE-----
        empty:
        'quoted key': ~
        """
        let config = try YAMLParser.parse(text)
        let user = config["users"]?.arrayValue?.first
        #expect(user?["name"] == .string("dev user"))
        #expect(user?["user"]?["exec"] == .object([
            "command": .string("kubelogin"), "apiVersion": .string("client.authentication.k8s.io/v1"),
        ]))
        #expect(user?["user"]?["args"] == .array([.string("get-token"), .string("--server-id"), .number("42")]))
        #expect(config["certificate"] == .string("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
        #expect(config["empty"] == .null)
        #expect(config["quoted key"] == .null)
        #expect(config.objectValue?.count == 4)
    }
}
