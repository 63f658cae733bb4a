import Foundation
import Testing
import BerthKube

/// Service-account credentials inside a pod, read from a fake service-account folder.
@Suite("In-cluster credentials")
struct InClusterConfigTests {
    let inPod = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]

    @Test func usedWhenNoKubeconfigExists() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let ca = fakePEM("CERTIFICATE", "Y2x1c3Rlci1jYQ==")
        let token = try fixture.write("sa/token", "pod-token\n")
        try fixture.write("sa/ca.crt", ca)
        try fixture.write("sa/namespace", "shop\n")
        var environment = inPod
        environment["HOME"] = fixture.path
        let settings = try KubeconfigLoader(environment: environment, serviceAccountDirectory: fixture.path + "/sa").load()
        #expect(settings.server == .init(scheme: "https", host: "10.96.0.1", port: 443))
        #expect(settings.caPEM == Array(ca.utf8))
        #expect(settings.token == "pod-token")
        #expect(settings.tokenFile == token)
        #expect(settings.namespace == "shop")
        #expect(settings.credentialsDescription == "in-cluster service account (bearer token file \(token))")
        #expect(!settings.description.contains("pod-token"))
    }

    /// client-go counts an empty kubeconfig as none, so a pod with a placeholder file
    /// still uses its service account.
    @Test func emptyKubeconfigCountsAsNone() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        try fixture.write("sa/token", "pod-token")
        let empty = try fixture.write("empty.yaml", "# nothing yet\n")
        var environment = inPod
        environment["KUBECONFIG"] = empty
        let settings = try KubeconfigLoader(environment: environment, serviceAccountDirectory: fixture.path + "/sa").load()
        #expect(settings.token == "pod-token")
    }

    @Test func podNamespaceVariableWinsAndIPv6HostsWork() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        try fixture.write("token", "t")
        let environment = ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443", "POD_NAMESPACE": "from-env"]
        let settings = try #require(try InClusterConfig(environment: environment, directory: fixture.path).load())
        #expect(settings.server.description == "https://[fd00::1]:6443")
        #expect(settings.namespace == "from-env")
        // No ca.crt: like client-go, fall back to the system's roots rather than fail.
        #expect(settings.caPEM == nil)
    }

    @Test func namespaceDefaultsWithoutFileOrVariable() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        try fixture.write("token", "t")
        let settings = try #require(try InClusterConfig(environment: inPod, directory: fixture.path).load())
        #expect(settings.namespace == "default")
    }

    @Test func notInClusterWithoutBothVariables() throws {
        #expect(try InClusterConfig(environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1"], directory: "/nonexistent").load() == nil)
        #expect(try InClusterConfig(environment: [:], directory: "/nonexistent").load() == nil)
    }

    @Test func missingTokenIsAnErrorInAPod() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        let message = errorMessage { _ = try InClusterConfig(environment: inPod, directory: fixture.path).load() }
        #expect(message == "cannot read the token file \(fixture.path)/token (in-cluster service account)")
    }

    @Test func contextFlagNeverFallsBackToInCluster() throws {
        let fixture = try KubeFixture()
        defer { fixture.remove() }
        try fixture.write("sa/token", "t")
        var environment = inPod
        environment["HOME"] = fixture.path
        let loader = KubeconfigLoader(context: "prod", environment: environment, serviceAccountDirectory: fixture.path + "/sa")
        let message = errorMessage { _ = try loader.load() }
        #expect(message?.hasPrefix("no kubeconfig found to select --context prod from") == true)
    }
}
