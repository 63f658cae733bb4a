import BerthJSON

/// The discovery documents: `/version`, `/api`, `/api/v1`, `/apis` (plain and aggregated)
/// and `/apis/GROUP/VERSION`, built from the kinds the server knows.
enum KubeDiscovery {
    static let version: JSONValue = .object([
        "major": .string("1"), "minor": .string("28"), "gitVersion": .string("v1.28.0"),
        "gitCommit": .string("0000000000000000000000000000000000000000"), "gitTreeState": .string("archive"),
        "buildDate": .string("2026-01-01T00:00:00Z"), "goVersion": .string("go1.21.13"), "compiler": .string("gc"),
        "platform": .string("linux/amd64"),
    ])

    static func coreVersions(serverAddress: String) -> JSONValue {
        .object([
            "kind": .string("APIVersions"), "versions": .array([.string("v1")]),
            "serverAddressByClientCIDRs": .array([.object(["clientCIDR": .string("0.0.0.0/0"),
                                                           "serverAddress": .string(serverAddress)])]),
        ])
    }

    static let verbs: JSONValue = .array(["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"].map {
        .string($0)
    })

    /// Group names in the order they were registered, core excluded.
    static func groups(_ kinds: [KubeResourceKind]) -> [(name: String, versions: [String])] {
        var result: [(name: String, versions: [String])] = []
        for kind in kinds where !kind.group.isEmpty {
            if let index = result.firstIndex(where: { $0.name == kind.group }) {
                if !result[index].versions.contains(kind.version) { result[index].versions.append(kind.version) }
            } else {
                result.append((kind.group, [kind.version]))
            }
        }
        return result
    }

    static func groupList(_ kinds: [KubeResourceKind]) -> JSONValue {
        let groups = groups(kinds).map { group -> JSONValue in
            let versions = group.versions.map { JSONValue.object(["groupVersion": .string("\(group.name)/\($0)"), "version": .string($0)]) }
            return .object(["name": .string(group.name), "versions": .array(versions), "preferredVersion": versions[0]])
        }
        return .object(["kind": .string("APIGroupList"), "apiVersion": .string("v1"), "groups": .array(groups)])
    }

    /// `/apis/GROUP`: one group's versions; nil for a group the server does not serve.
    static func group(_ kinds: [KubeResourceKind], name: String) -> JSONValue? {
        guard let group = groups(kinds).first(where: { $0.name == name }) else { return nil }
        let versions = group.versions.map { JSONValue.object(["groupVersion": .string("\(name)/\($0)"), "version": .string($0)]) }
        return .object(["kind": .string("APIGroup"), "apiVersion": .string("v1"), "name": .string(name),
                        "versions": .array(versions), "preferredVersion": versions[0]])
    }

    /// The resources of one group/version; nil when the server has none there.
    static func resourceList(_ kinds: [KubeResourceKind], group: String, version: String) -> JSONValue? {
        let matching = kinds.filter { $0.group == group && $0.version == version }
        guard !matching.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for kind in matching.sorted(by: { $0.plural < $1.plural }) {
            var entry: [String: JSONValue] = [
                "name": .string(kind.plural), "singularName": .string(kind.singular), "namespaced": .bool(kind.namespaced),
                "kind": .string(kind.kind), "verbs": kind.isNamespace ? .array(["create", "delete", "get", "list", "patch", "update",
                                                                              "watch"].map { .string($0) }) : verbs,
            ]
            if !kind.shortNames.isEmpty { entry["shortNames"] = .array(kind.shortNames.map { .string($0) }) }
            resources.append(.object(entry))
            if kind.hasGeneration || kind.plural == "services" || kind.plural == "pods" || kind.isNamespace {
                resources.append(.object(["name": .string("\(kind.plural)/status"), "singularName": .string(""),
                                          "namespaced": .bool(kind.namespaced), "kind": .string(kind.kind),
                                          "verbs": .array(["get", "patch", "update"].map { .string($0) })]))
            }
        }
        var fields: [String: JSONValue] = ["kind": .string("APIResourceList"), "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
                                           "resources": .array(resources)]
        if !group.isEmpty { fields["apiVersion"] = .string("v1") }
        return .object(fields)
    }

    /// `/apis` in the aggregated form (`APIGroupDiscoveryList`, apidiscovery.k8s.io/v2beta1).
    static func aggregated(_ kinds: [KubeResourceKind]) -> JSONValue {
        let items = groups(kinds).map { group -> JSONValue in
            let versions = group.versions.map { version -> JSONValue in
                let resources = kinds.filter { $0.group == group.name && $0.version == version }.map { kind -> JSONValue in
                    .object([
                        "resource": .string(kind.plural),
                        "responseKind": .object(["group": .string(""), "version": .string(""), "kind": .string(kind.kind)]),
                        "scope": .string(kind.namespaced ? "Namespaced" : "Cluster"), "singularResource": .string(kind.singular),
                        "verbs": verbs,
                    ])
                }
                return .object(["version": .string(version), "resources": .array(resources), "freshness": .string("Current")])
            }
            return .object(["metadata": .object(["name": .string(group.name), "creationTimestamp": .null]), "versions": .array(versions)])
        }
        return .object(["kind": .string("APIGroupDiscoveryList"), "apiVersion": .string("apidiscovery.k8s.io/v2beta1"),
                        "metadata": .object([:]), "items": .array(items)])
    }

    static let aggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
}
