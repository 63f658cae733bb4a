import BerthJSON
@testable import BerthModel
import Testing

/// Validation of the kubernetes target's fields: the exact line a person sees for each
/// bad input, with the JSON path and line:column of the offending value.
struct KubeDecoderTests {
    static func errors(_ text: String) -> [String] {
        SpecDecoder.decode(file: "specs/k.json", bytes: Array(text.utf8)).errors.map(\.description)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: [String]
        var testDescription: String { input }
    }

    static let k = #"{"name": "web", "target": "kubernetes", "image": "busybox:1", "#

    static let bad: [Bad] = [
        Bad(input: k + #""namespace": "Team_A"}"#,
            expected: [#"specs/k.json:1:76: $.namespace: "Team_A" is not a namespace name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"#]),
        Bad(input: k + #""namespace": "\#(String(repeating: "n", count: 64))"}"#,
            expected: [#"specs/k.json:1:76: $.namespace: "\#(String(repeating: "n", count: 64))" is not a namespace name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "namespace": "a"}"#,
            expected: [#"specs/k.json:1:39: $.namespace: "namespace" is only for target "kubernetes" (this spec's target is "docker")"#]),
        Bad(input: #"{"name": "web", "target": "swarm", "image": "busybox:1", "manifests": []}"#,
            expected: [#"specs/k.json:1:58: $.manifests: "manifests" is only for target "kubernetes" (this spec's target is "swarm")"#]),
        Bad(input: k + #""swarm": {}}"#,
            expected: [#"specs/k.json:1:63: $.swarm: "swarm" is only for target "swarm" (this spec's target is "kubernetes")"#]),
        Bad(input: k + #""kubernetes": []}"#,
            expected: ["specs/k.json:1:77: $.kubernetes: expected a fragment of an apps/v1 Deployment (an object), got array"]),
        Bad(input: k + "\n \"kubernetes\": {\"kind\": \"StatefulSet\"}}",
            expected: [#"specs/k.json:2:25: $.kubernetes.kind: the fragment is merged over the generated Deployment and cannot change its kind ("Deployment"); put other objects in "manifests""#]),
        Bad(input: k + #""kubernetes": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"}}}"#,
            expected: [#"specs/k.json:1:146: $.kubernetes.metadata.name: the Deployment is named after the spec ("web"); the fragment cannot rename it"#]),
        Bad(input: k + #""kubernetes": {"spec": {"selector": {}, "replicas": 3}}}"#,
            expected: [
                "specs/k.json:1:87: $.kubernetes.spec.selector: berth sets the selector to its own labels (a selector cannot change once created); it cannot be set here",
                #"specs/k.json:1:103: $.kubernetes.spec.replicas: set "replicas" in the spec, not in the fragment"#,
            ]),
        Bad(input: k + #""kubernetes": {"metadata": {"labels": {"berth.name": "x"}}}}"#,
            expected: [#"specs/k.json:1:102: $.kubernetes.metadata.labels["berth.name"]: keys starting with "berth." are berth's own and cannot be set"#]),
        Bad(input: k + #""manifests": {}}"#,
            expected: ["specs/k.json:1:76: $.manifests: expected an array of Kubernetes objects, got object"]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "manifests": ["#
            + "\n  {\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"a\"}},"
            + "\n  {\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"b\"}},"
            + "\n  {\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {\"name\": \"Bad_Name\"}}]}",
            expected: [#"specs/k.json:4:63: $.manifests[2].metadata.name: "Bad_Name" is not a Kubernetes object name: use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"#]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "manifests": [{"apiVersion": "v1", "metadata": {}}]}"#,
            expected: [
                #"specs/k.json:1:55: $.manifests[0]: missing required field "kind""#,
                #"specs/k.json:1:88: $.manifests[0].metadata: missing required field "name""#,
            ]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "manifests": [{"apiVersion": 1, "kind": "A", "metadata": {"name": "a", "namespace": "B"}}]}"#,
            expected: [
                "specs/k.json:1:70: $.manifests[0].apiVersion: expected a string, got number",
                #"specs/k.json:1:125: $.manifests[0].metadata.namespace: "B" is not a namespace name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit"#,
            ]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "manifests": ["kind: ConfigMap"]}"#,
            expected: ["specs/k.json:1:55: $.manifests[0]: expected a Kubernetes object with apiVersion, kind and metadata.name, got string"]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "manifests": [{"apiVersion": "v1", "kind": "ConfigMap"}]}"#,
            expected: [#"specs/k.json:1:55: $.manifests[0]: missing required field "metadata" (with at least "name")"#]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"berth.owner": "x"}}}]}"#,
            expected: [#"specs/k.json:1:134: $.manifests[0].metadata.labels["berth.owner"]: keys starting with "berth." are berth's own and cannot be set"#]),
        Bad(input: #"{"name": "web", "target": "kubernetes"}"#,
            expected: [#"specs/k.json:1:1: $: missing required field "image""#]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "manifests": []}"#,
            expected: [#"specs/k.json:1:54: $.manifests: a spec without "image" needs at least one manifest"#]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "ports": ["80:80"], "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}]}"#,
            expected: [#"specs/k.json:1:41: $.ports: "ports" describes the Deployment berth generates from "image"; this spec has no image, only manifests"#]),
        Bad(input: k + #""volumes": ["data:/data"]}"#,
            expected: [#"specs/k.json:1:63: $.volumes: volumes are not mapped to Kubernetes; declare them in the "kubernetes" fragment or in "manifests""#]),
        Bad(input: k + #""restart": "always"}"#,
            expected: [#"specs/k.json:1:63: $.restart: pods on Kubernetes always restart; remove "restart""#]),
        Bad(input: k + #""removeImage": true}"#,
            expected: [#"specs/k.json:1:63: $.removeImage: the cluster's nodes pull and remove images themselves; remove "removeImage""#]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "image": {"ref": "web:1", "build": {"context": "."}}}"#,
            expected: ["specs/k.json:1:88: $.image.build.context: the cluster pulls images from a registry itself; an imported or built image is not available to it"]),
        Bad(input: k + #""ports": ["127.0.0.1:8080:80"]}"#,
            expected: [#"specs/k.json:1:73: $.ports[0]: a Service has no host IP; write "8080:80/tcp""#]),
    ]

    @Test(arguments: bad)
    func badInput(_ row: Bad) {
        #expect(Self.errors(row.input) == row.expected)
    }

    @Test func fullSpecDecodes() throws {
        let text = #"""
            {"name": "web", "target": "kubernetes", "image": "nginx:1", "namespace": "shop", "replicas": 2,
             "kubernetes": {"spec": {"template": {"spec": {"serviceAccountName": "web"}}}},
             "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config"}, "data": {"a": "1"}}]}
            """#
        let result = SpecDecoder.decode(file: "specs/k.json", bytes: Array(text.utf8))
        #expect(result.errors.isEmpty)
        let spec = try #require(result.specs.first)
        #expect(spec.target == "kubernetes" && spec.namespace == "shop" && spec.replicas == 2)
        #expect(spec.kubernetes?["spec"]?["template"]?["spec"]?["serviceAccountName"] == .string("web"))
        #expect(spec.manifests.map(\.kind) == ["ConfigMap"])
        #expect(spec.manifests.first?.path.description == "$.manifests[0]")
        #expect(spec.manifests.first?.position == JSONPosition(line: 3, column: 16))
    }

    @Test func aSpecMayBeManifestsOnly() throws {
        let text = #"{"name": "infra", "target": "kubernetes", "manifests": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}]}"#
        let spec = try #require(SpecDecoder.decode(file: "specs/k.json", bytes: Array(text.utf8)).specs.first)
        #expect(spec.image.isEmpty)
        #expect(spec.manifests.map(\.name) == ["shop"])
    }

    @Test func manifestsChangeTheConfigHashAndSecretsAreFingerprinted() {
        let secret = KubeManifest(object: .object([
            "apiVersion": .string("v1"), "kind": .string("Secret"), "metadata": .object(["name": .string("db")]),
            "stringData": .object(["password": .string("hunter2")]),
        ]))
        var other = secret
        other.object = other.object.merging(.object(["stringData": .object(["password": .string("hunter3")])]))
        let deployment = KubeManifest(object: .object([
            "apiVersion": .string("apps/v1"), "kind": .string("Deployment"), "metadata": .object(["name": .string("db")]),
            "spec": .object(["template": .object(["spec": .object(["containers": .array([.object([
                "name": .string("db"), "env": .array([.object(["name": .string("ROOT_PASSWORD"), "value": .string("swordfish")])]),
            ])])])])]),
        ]))
        let a = Spec(name: "db", target: "kubernetes", image: "", manifests: [secret, deployment])
        let b = Spec(name: "db", target: "kubernetes", image: "", manifests: [other, deployment])
        #expect(a.configHash != b.configHash)
        let stored = a.canonicalConfig(secrets: .fingerprint(key: [])).canonicalText
        #expect(!stored.contains("hunter2") && !stored.contains("swordfish"))
        #expect(stored.contains(Secrets.fingerprint("hunter2")))
    }
}
