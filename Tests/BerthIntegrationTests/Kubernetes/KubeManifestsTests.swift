import BerthCommands
import BerthHTTP
import BerthJSON
import BerthKube
import BerthTestSupport
import BerthYAML
import Foundation
import Testing

/// contrib/kubernetes, the manifests that run berth in a cluster: each file is one object that
/// berth's own YAML reader reads, the test API server accepts them in file order (as
/// `kubectl apply -f contrib/kubernetes/` sends them), the specs in the ConfigMap are valid,
/// and the RBAC rules grant what berth does to every kind it observes and to its Lease, and
/// nothing more.
@Suite(.timeLimit(.minutes(5)))
struct KubeManifestsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("contrib/kubernetes")

    /// What berth does to the kinds it manages: list and watch across namespaces, read one,
    /// server-side apply (patch, and create for a new object), delete when pruning.
    static let managedVerbs: Set<String> = ["get", "list", "watch", "create", "patch", "delete"]
    /// What it does to its Lease: create, read, renew (update), delete on release.
    static let leaseVerbs: Set<String> = ["get", "create", "update", "delete"]

    /// The kinds the test server does not serve by itself, as kube-apiserver serves them.
    static let rbacKinds: [(group: String, kind: String, plural: String, namespaced: Bool)] = [
        ("", "ServiceAccount", "serviceaccounts", true),
        ("rbac.authorization.k8s.io", "Role", "roles", true), ("rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true),
        ("rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings", false),
    ]

    static func manifests() throws -> [(file: String, object: JSONValue)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            do { return (name, try YAMLParser.parse(text)) } catch { throw TestSetupError("contrib/kubernetes/\(name):\(error)") }
        }
    }

    static func objects(_ all: [(file: String, object: JSONValue)], kind: String) -> [JSONValue] {
        all.map(\.object).filter { $0["kind"]?.stringValue == kind }
    }

    @Test func theTestAPIServerAcceptsEveryObjectInFileOrder() async throws {
        let all = try Self.manifests()
        #expect(all.count >= 8, "\(all.map(\.file))")
        let server = KubeTestServer()
        try server.start()
        defer { server.stop() }
        for kind in Self.rbacKinds {
            _ = server.registerCustomResource(group: kind.group, version: "v1", kind: kind.kind, plural: kind.plural,
                                              namespaced: kind.namespaced)
        }
        let http = HTTPClient(endpoint: server.endpoint)
        let auth = [("Authorization", "Bearer \(server.token)")]
        for (file, object) in all {
            let apiVersion = try #require(object["apiVersion"]?.stringValue, "\(file): apiVersion")
            let kindName = try #require(object["kind"]?.stringValue, "\(file): kind")
            let name = try #require(object["metadata"]?["name"]?.stringValue, "\(file): metadata.name")
            let parts = apiVersion.split(separator: "/").map(String.init)
            let group = parts.count == 2 ? parts[0] : "", version = parts.last ?? ""
            let kind = try #require(KubeResourceKind.builtIn.first { $0.group == group && $0.version == version && $0.kind == kindName }
                ?? Self.rbacKinds.first { $0.group == group && $0.kind == kindName }.map {
                    KubeResourceKind(group: $0.group, version: "v1", kind: $0.kind, plural: $0.plural, namespaced: $0.namespaced)
                }, "\(file): \(apiVersion) \(kindName) is no kind a cluster serves")
            let namespace = object["metadata"]?["namespace"]?.stringValue
            #expect(kind.namespaced == (namespace != nil), "\(file): \(kindName) namespaced is \(kind.namespaced), namespace \(namespace ?? "none")")
            let path = (group.isEmpty ? "/api/v1" : "/apis/\(apiVersion)") + (kind.namespaced ? "/namespaces/\(namespace ?? "default")" : "")
                + "/\(kind.plural)/\(name)"
            let applied = try await http.send(HTTPRequest(
                method: "PATCH", path: path + "?fieldManager=kubectl", headers: auth + [("Content-Type", "application/apply-patch+yaml")],
                body: Array(object.serialized().utf8)))
            #expect([200, 201].contains(applied.status), "\(file): \(applied.status) \(applied.bodyText)")
            let read = try await http.send(HTTPRequest(method: "GET", path: path, headers: auth))
            #expect(read.status == 200 && JSONValue(answer: read.body)?["kind"]?.stringValue == kindName, "\(file): \(read.bodyText)")
        }
    }

    @Test func theRulesCoverEveryKindBerthObservesAndItsLeaseAndNoMore() throws {
        let all = try Self.manifests()
        let deployment = try #require(Self.objects(all, kind: "Deployment").first)
        let namespace = try #require(deployment["metadata"]?["namespace"]?.stringValue)
        let pod = deployment["spec"]?["template"]?["spec"]
        let account = try #require(pod?["serviceAccountName"]?.stringValue, "the Deployment names its ServiceAccount")
        #expect(Self.objects(all, kind: "ServiceAccount").contains {
            $0["metadata"]?["name"]?.stringValue == account && $0["metadata"]?["namespace"]?.stringValue == namespace
        })
        let isOurs = { (binding: JSONValue) in
            (binding["subjects"]?.arrayValue ?? []).contains {
                $0["kind"] == .string("ServiceAccount") && $0["name"] == .string(account) && $0["namespace"] == .string(namespace)
            }
        }
        func rules(bound bindingKind: String, to roleKind: String) -> [JSONValue] {
            let names = Self.objects(all, kind: bindingKind).filter(isOurs).compactMap { binding -> String? in
                guard binding["roleRef"]?["kind"] == .string(roleKind),
                      binding["roleRef"]?["apiGroup"] == .string("rbac.authorization.k8s.io") else { return nil }
                return binding["roleRef"]?["name"]?.stringValue
            }
            return Self.objects(all, kind: roleKind).filter { role in
                names.contains(role["metadata"]?["name"]?.stringValue ?? "")
                    && (roleKind == "ClusterRole" || role["metadata"]?["namespace"]?.stringValue == namespace)
            }.flatMap { $0["rules"]?.arrayValue ?? [] }
        }
        func granted(_ rules: [JSONValue], group: String, plural: String) -> Set<String> {
            Set(rules.filter { rule in
                (rule["apiGroups"]?.arrayValue ?? []).contains(.string(group)) && (rule["resources"]?.arrayValue ?? []).contains(.string(plural))
                    && rule["resourceNames"] == nil
            }.flatMap { ($0["verbs"]?.arrayValue ?? []).compactMap(\.stringValue) })
        }
        let clusterRules = rules(bound: "ClusterRoleBinding", to: "ClusterRole")
        var managed: Set<String> = []
        for observed in KubernetesAdapter.alwaysObserved {
            let kind = try #require(KubeResourceKind.builtIn.first { $0.apiVersion == observed.apiVersion && $0.kind == observed.kind })
            managed.insert(kind.group + "/" + kind.plural)
            let verbs = granted(clusterRules, group: kind.group, plural: kind.plural)
            #expect(verbs.isSuperset(of: Self.managedVerbs),
                    "\(observed.kind): the ClusterRole grants \(verbs.sorted()), berth needs \(Self.managedVerbs.sorted())")
        }
        // The Lease lives in the namespace berth runs in (the in-cluster namespace).
        let leaseVerbs = granted(rules(bound: "RoleBinding", to: "Role"), group: "coordination.k8s.io", plural: "leases")
        #expect(leaseVerbs.isSuperset(of: Self.leaseVerbs), "leases in \(namespace): \(leaseVerbs.sorted())")
        // No more than that: no wildcard, no other kind but reading namespaces, no other verb.
        for rule in clusterRules {
            let verbs = Set((rule["verbs"]?.arrayValue ?? []).compactMap(\.stringValue))
            for group in (rule["apiGroups"]?.arrayValue ?? []).compactMap(\.stringValue) {
                for plural in (rule["resources"]?.arrayValue ?? []).compactMap(\.stringValue) {
                    let allowed = managed.contains(group + "/" + plural) ? Self.managedVerbs : (group + "/" + plural == "/namespaces" ? ["get"] : [])
                    #expect(verbs.isSubset(of: allowed), "the ClusterRole grants \(verbs.sorted()) on \(group)/\(plural)")
                }
            }
        }
    }

    @Test func theDeploymentRunsTwoWatchesOfTheConfigMapsValidSpecs() async throws {
        let all = try Self.manifests()
        let deployment = try #require(Self.objects(all, kind: "Deployment").first)
        #expect(deployment["spec"]?["replicas"]?.intValue == 2)
        let pod = try #require(deployment["spec"]?["template"]?["spec"])
        let container = try #require(pod["containers"]?.arrayValue?.first)
        let args = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(Array(args.prefix(5)) == ["watch", "--specs", "/specs", "--state", "/state"], "\(args)")
        #expect(args.contains("--owner"), "both replicas must share the owner that names the Lease: \(args)")
        let mounts = (container["volumeMounts"]?.arrayValue ?? []).reduce(into: [String: String]()) {
            $0[$1["mountPath"]?.stringValue ?? ""] = $1["name"]?.stringValue
        }
        let volumes = (pod["volumes"]?.arrayValue ?? []).reduce(into: [String: JSONValue]()) { $0[$1["name"]?.stringValue ?? ""] = $1 }
        #expect(volumes[mounts["/state"] ?? ""]?["emptyDir"] != nil, "\(mounts) \(volumes)")
        let configMapName = try #require(volumes[mounts["/specs"] ?? ""]?["configMap"]?["name"]?.stringValue)
        let configMap = try #require(Self.objects(all, kind: "ConfigMap").first { $0["metadata"]?["name"]?.stringValue == configMapName })
        #expect(configMap["metadata"]?["namespace"] == deployment["metadata"]?["namespace"])

        // The files the kubelet would put under /specs, checked by berth as a user checks them.
        let specs = try TemporaryDirectory(prefix: "kube-manifest-specs")
        defer { specs.remove() }
        let data = configMap["data"]?.objectValue ?? [:]
        #expect(!data.isEmpty)
        for (file, text) in data { try (text.stringValue ?? "").write(toFile: specs.path + "/" + file, atomically: true, encoding: .utf8) }
        let console = Console.capturing()
        let status = await BerthCLI.run(["validate", "--specs", specs.path, "--state", specs.path + "/state"],
                                        environment: ["HOME": specs.path], console: console)
        #expect(status == 0, "\(console.stdout)\(console.stderr)")
    }
}
