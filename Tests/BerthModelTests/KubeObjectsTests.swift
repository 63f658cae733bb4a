import BerthJSON
@testable import BerthModel
import Testing

/// Specs as the Kubernetes objects berth applies: golden objects for a portable spec, the
/// fragment merge, manifests of several kinds and namespacing from discovery.
struct KubeObjectsTests {
    static let discovery: [String: Bool] = [
        "apps/v1/Deployment": true, "v1/Service": true, "v1/ConfigMap": true, "v1/Secret": true,
        "apps/v1/StatefulSet": true, "v1/Namespace": false, "example.com/v1/Widget": true, "example.com/v1/ClusterWidget": false,
    ]

    static func objects(_ spec: Spec, namespace: String = "default") -> [KubeObject] {
        KubeObjects.make(spec: spec, owner: "main", defaultNamespace: namespace, isNamespaced: { discovery["\($0)/\($1)"] })
    }

    static func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)).value }

    /// The object without its hash annotation, which is checked on its own.
    static func unhashed(_ object: KubeObject) -> JSONValue {
        var metadata = object.body["metadata"]!.objectValue!
        var annotations = metadata["annotations"]!.objectValue!
        annotations[Labels.configHash] = nil
        metadata["annotations"] = annotations.isEmpty ? nil : .object(annotations)
        return object.body.objectValue!.merging(["metadata": .object(metadata)]) { _, new in new }.json
    }

    static let portable = Spec(
        name: "web", target: "kubernetes", image: "nginx:1.27", command: ["nginx", "-g", "daemon off;"],
        env: ["MODE": "prod", "API_TOKEN": "t0k3n"], replicas: 3, ports: [PortMapping(hostPort: 8080, containerPort: 80)],
        labels: ["tier": "front"])

    @Test func portableSpecBecomesADeploymentAndAService() throws {
        let objects = Self.objects(Self.portable)
        #expect(objects.map(\.description) == ["apps/v1 Deployment default/web", "v1 Service default/web"])
        #expect(Self.unhashed(objects[0]) == (try Self.json(#"""
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "web", "namespace": "default", "labels": {"tier": "front", "berth.owner": "main", "berth.name": "web"}},
             "spec": {"replicas": 3,
                      "selector": {"matchLabels": {"berth.owner": "main", "berth.name": "web"}},
                      "template": {"metadata": {"labels": {"tier": "front", "berth.owner": "main", "berth.name": "web"}},
                                   "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "args": ["nginx", "-g", "daemon off;"],
                                                            "env": [{"name": "API_TOKEN", "value": "t0k3n"}, {"name": "MODE", "value": "prod"}],
                                                            "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}}}
            """#)))
        #expect(Self.unhashed(objects[1]) == (try Self.json(#"""
            {"apiVersion": "v1", "kind": "Service",
             "metadata": {"name": "web", "namespace": "default", "labels": {"tier": "front", "berth.owner": "main", "berth.name": "web"}},
             "spec": {"selector": {"berth.owner": "main", "berth.name": "web"},
                      "ports": [{"name": "p-8080-tcp", "port": 8080, "targetPort": 80, "protocol": "TCP"}]}}
            """#)))
        for object in objects {
            #expect(object.body["metadata"]?["annotations"]?[Labels.configHash] == .string(object.configHash))
        }
    }

    @Test func configHashFollowsTheObjectAndOnlyIt() {
        var changed = Self.portable
        changed.image = "nginx:1.28"
        let before = Self.objects(Self.portable), after = Self.objects(changed)
        #expect(before[0].configHash != after[0].configHash)
        #expect(before[1].configHash == after[1].configHash)
        #expect(Self.objects(Self.portable).map(\.configHash) == before.map(\.configHash))
    }

    @Test func noPortsNoService() {
        var spec = Self.portable
        spec.ports = []
        #expect(Self.objects(spec).map(\.description) == ["apps/v1 Deployment default/web"])
    }

    @Test func fragmentIsMergedButTheSelectorStaysBerths() throws {
        var spec = Self.portable
        spec.namespace = "shop"
        spec.kubernetes = try Self.json(#"""
            {"metadata": {"annotations": {"team": "a"}},
             "spec": {"strategy": {"type": "Recreate"},
                      "template": {"metadata": {"labels": {"berth.owner": "someone-else"}},
                                   "spec": {"serviceAccountName": "web",
                                           "containers": [{"name": "web", "resources": {"limits": {"memory": "64Mi"}}},
                                                          {"name": "log", "image": "busybox:1", "args": ["tail", "-F", "/log/x"]}]}}}}
            """#)
        let deployment = Self.objects(spec)[0]
        #expect(deployment.description == "apps/v1 Deployment shop/web")
        let body = deployment.body
        #expect(body["metadata"]?["annotations"]?["team"] == .string("a"))
        #expect(body["spec"]?["strategy"]?["type"] == .string("Recreate"))
        #expect(body["spec"]?["template"]?["spec"]?["serviceAccountName"] == .string("web"))
        // Named list elements merge by name: the container keeps its image and gains resources; a sidecar is added.
        let containers = try #require(body["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
        #expect(containers.map { $0["name"]?.stringValue } == ["web", "log"])
        #expect(containers[0]["image"] == .string("nginx:1.27"))
        #expect(containers[0]["env"]?.arrayValue?.count == 2)
        #expect(containers[0]["resources"]?["limits"]?["memory"] == .string("64Mi"))
        #expect(containers[1]["image"] == .string("busybox:1"))
        #expect(body["spec"]?["template"]?["metadata"]?["labels"]?[Labels.owner] == .string("main"))
        #expect(body["spec"]?["selector"] == .object(["matchLabels": .object([Labels.owner: .string("main"), Labels.name: .string("web")])]))
        #expect(body["spec"]?["replicas"] == .number("3"))
    }

    static func manifest(_ text: String) throws -> KubeManifest { KubeManifest(object: try json(text)) }

    @Test func manifestsOfManyKindsAreAppliedAsWrittenPlusBerthsLabels() throws {
        let spec = Spec(name: "shop", target: "kubernetes", image: "", namespace: "shop", manifests: [
            try Self.manifest(#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "namespace": "ignored"}}"#),
            try Self.manifest(#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "labels": {"app": "shop"}}, "data": {"a": "1"}}"#),
            try Self.manifest(#"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "data"}, "stringData": {"password": "pw"}}"#),
            try Self.manifest(#"{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"}, "spec": {"serviceName": "db", "replicas": 1}}"#),
            try Self.manifest(#"{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}}"#),
            try Self.manifest(#"{"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}}"#),
        ])
        let objects = Self.objects(spec)
        #expect(objects.map(\.description) == [
            "v1 Namespace shop", "v1 ConfigMap shop/cfg", "v1 Secret data/db", "apps/v1 StatefulSet shop/db",
            "example.com/v1 Widget shop/w",
            "example.com/v1 Gadget shop/g", // unknown to discovery: namespaced
        ])
        #expect(objects[0].body["metadata"]?["namespace"] == nil)
        #expect(objects[1].body["metadata"]?["labels"] == .object([
            "app": .string("shop"), Labels.owner: .string("main"), Labels.name: .string("shop"),
        ]))
        #expect(objects[1].body["data"] == .object(["a": .string("1")]))
        #expect(objects[2].body["stringData"]?["password"] == .string("pw"))
        #expect(objects[3].body["spec"] == .object(["serviceName": .string("db"), "replicas": .number("1")]))
        #expect(objects[4].body["metadata"]?["namespace"] == .string("shop"))
    }

    @Test func specNamespaceFallsBackToTheContextNamespace() throws {
        var spec = Self.portable
        spec.manifests = [try Self.manifest(#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}"#)]
        #expect(Self.objects(spec, namespace: "team-a").map(\.description) == [
            "apps/v1 Deployment team-a/web", "v1 Service team-a/web", "v1 ConfigMap team-a/cfg",
        ])
    }

    @Test func objectIDsReadBack() {
        for text in ["apps/v1 Deployment default/web", "v1 Namespace shop", "example.com/v1 Widget a/b"] {
            #expect(KubeObjectID(parsing: text)?.description == text)
        }
        #expect(KubeObjectID(parsing: "Deployment web") == nil)
        #expect(KubeObjectID(parsing: "apps/v1 Deployment default/web")?.group == "apps")
        #expect(KubeObjectID(parsing: "v1 Service default/web")?.group == "")
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    var json: JSONValue { .object(self) }
}
