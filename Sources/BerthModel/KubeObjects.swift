/// Spec -> the Kubernetes objects berth applies for it. Pure translation, so the planner can
/// judge drift by comparing what the cluster holds with what berth would send.
///
/// A spec with an image becomes an apps/v1 Deployment (and a v1 Service when it has ports);
/// its `kubernetes` fragment is merged over the Deployment; each of its `manifests` is
/// applied as written. Every object carries `berth.owner` and `berth.name` labels and the
/// `berth.config-hash` annotation.
public enum KubeObjects {
    /// `isNamespaced(apiVersion, kind)` comes from API discovery; nil (unknown kind) counts
    /// as namespaced, the common case, and the server refuses the apply if it is wrong.
    public static func make(
        spec: Spec, owner: String, defaultNamespace: String, isNamespaced: (String, String) -> Bool?
    ) -> [KubeObject] {
        let namespace = spec.namespace ?? defaultNamespace
        var berthLabels: [String: JSONValue] = [Labels.owner: .string(owner), Labels.name: .string(spec.name.rawValue)]
        if !spec.target.isImplicit { berthLabels[Labels.target] = .string(spec.target.rawValue) }
        var objects: [KubeObject] = []
        if !spec.image.isEmpty {
            objects.append(KubeObject(
                id: KubeObjectID(apiVersion: "apps/v1", kind: "Deployment", namespace: namespace, name: spec.name.rawValue),
                unhashed: pruneLabel(spec, deployment(spec, namespace: namespace, berthLabels: berthLabels)), origin: spec.origin))
            if !spec.ports.isEmpty {
                objects.append(KubeObject(
                    id: KubeObjectID(apiVersion: "v1", kind: "Service", namespace: namespace, name: spec.name.rawValue),
                    unhashed: pruneLabel(spec, service(spec, namespace: namespace, berthLabels: berthLabels)), origin: spec.origin))
            }
        }
        for manifest in spec.manifests {
            let namespaced = isNamespaced(manifest.apiVersion, manifest.kind) ?? true
            let id = KubeObjectID(apiVersion: manifest.apiVersion, kind: manifest.kind,
                                  namespace: namespaced ? manifest.namespace ?? namespace : nil, name: manifest.name)
            var metadata = manifest.object["metadata"]?.objectValue ?? [:]
            metadata["namespace"] = id.namespace.map { .string($0) }
            metadata["labels"] = .object((metadata["labels"]?.objectValue ?? [:]).merging(berthLabels) { _, berth in berth })
            var body = manifest.object.objectValue ?? [:]
            body["metadata"] = .object(metadata)
            objects.append(KubeObject(id: id, unhashed: pruneLabel(spec, .object(body)),
                                      origin: SpecOrigin(file: spec.origin.file, path: manifest.path, position: manifest.position)))
        }
        return objects
    }

    /// `"prune": false`: `berth.prune=false` in the object's own labels (never in a selector or
    /// pod template, which a later change of `prune` could not alter), so the object is
    /// released rather than deleted when its spec is removed.
    static func pruneLabel(_ spec: Spec, _ body: JSONValue) -> JSONValue {
        spec.prune ? body : body.merging(.object(["metadata": .object(["labels": .object([Labels.prune: .string("false")])])]))
    }

    static func deployment(_ spec: Spec, namespace: String, berthLabels: [String: JSONValue]) -> JSONValue {
        let userLabels = spec.labels.mapValues { JSONValue.string($0) }
        let labels = JSONValue.object(userLabels.merging(berthLabels) { _, berth in berth })
        // Docker's command replaces the image's CMD and keeps its ENTRYPOINT: that is `args`
        // in a pod, not `command` (which would replace the ENTRYPOINT).
        var container: [String: JSONValue] = ["name": .string(spec.name.rawValue), "image": .string(spec.image)]
        if let command = spec.command { container["args"] = .array(command.map { .string($0) }) }
        if let health = spec.health { container["readinessProbe"] = health.readinessProbe }
        if !spec.env.isEmpty {
            container["env"] = .array(spec.env.keys.sorted().map { .object(["name": .string($0), "value": .string(spec.env[$0]!)]) })
        }
        if !spec.ports.isEmpty {
            container["ports"] = .array(spec.ports.map {
                .object(["containerPort": .number(String($0.containerPort)), "protocol": .string($0.proto.uppercased())])
            })
        }
        var metadata: [String: JSONValue] = ["name": .string(spec.name.rawValue), "namespace": .string(namespace), "labels": labels]
        if !spec.sealedEnv.isEmpty {
            metadata["annotations"] = .object([Labels.sealedEnv: .string(spec.sealedEnv.keys.sorted().joined(separator: ","))])
        }
        var generated = JSONValue.object([
            "apiVersion": .string("apps/v1"), "kind": .string("Deployment"),
            "metadata": .object(metadata),
            "spec": .object([
                "replicas": .number(String(spec.replicas)),
                "selector": .object(["matchLabels": .object(berthLabels)]),
                "template": .object([
                    "metadata": .object(["labels": labels]),
                    "spec": .object(["containers": .array([.object(container)])]),
                ]),
            ]),
        ])
        if let fragment = spec.kubernetes { generated = merge(generated, fragment) }
        // The selector is immutable in Kubernetes and must match the pods: berth's labels only,
        // whatever the fragment says, so a changed user label never makes the apply fail.
        return generated.merging(.object([
            "metadata": .object(["labels": .object(berthLabels)]),
            "spec": .object([
                "selector": .object(["matchLabels": .object(berthLabels)]),
                "template": .object(["metadata": .object(["labels": .object(berthLabels)])]),
            ]),
        ])).replacing(path: ["spec", "selector", "matchLabels"], with: .object(berthLabels))
    }

    /// JSON merge, except that lists of named objects (containers, env, ports, volumes) merge
    /// element by element by name, as kubectl's strategic merge does: a fragment that gives
    /// the container resources keeps its image, and a container of another name is added.
    static func merge(_ base: JSONValue, _ overlay: JSONValue) -> JSONValue {
        if case .object(var members) = base, case .object(let top) = overlay {
            for (key, value) in top { members[key] = members[key].map { merge($0, value) } ?? value }
            return .object(members)
        }
        if let list = base.arrayValue, let top = overlay.arrayValue, let baseNames = names(list), let topNames = names(top) {
            var out = list
            for (element, name) in zip(top, topNames) {
                if let index = baseNames.firstIndex(of: name) { out[index] = merge(out[index], element) } else { out.append(element) }
            }
            return .array(out)
        }
        return overlay
    }

    private static func names(_ list: [JSONValue]) -> [String]? {
        let names = list.compactMap { $0["name"]?.stringValue }
        return names.count == list.count ? names : nil
    }

    static func service(_ spec: Spec, namespace: String, berthLabels: [String: JSONValue]) -> JSONValue {
        let labels = spec.labels.mapValues { JSONValue.string($0) }.merging(berthLabels) { _, berth in berth }
        return .object([
            "apiVersion": .string("v1"), "kind": .string("Service"),
            "metadata": .object(["name": .string(spec.name.rawValue), "namespace": .string(namespace), "labels": .object(labels)]),
            "spec": .object([
                "selector": .object(berthLabels),
                "ports": .array(spec.ports.map { p in
                    .object([
                        "name": .string("p-\(p.hostPort)-\(p.proto)"), "port": .number(String(p.hostPort)),
                        "targetPort": .number(String(p.containerPort)), "protocol": .string(p.proto.uppercased()),
                    ])
                }),
            ]),
        ])
    }
}

extension JSONValue {
    /// This value with the member at `path` set to `value`, creating objects on the way.
    func replacing(path: ArraySlice<String>, with value: JSONValue) -> JSONValue {
        guard let key = path.first else { return value }
        var object = objectValue ?? [:]
        object[key] = (object[key] ?? .object([:])).replacing(path: path.dropFirst(), with: value)
        return .object(object)
    }

    func replacing(path: [String], with value: JSONValue) -> JSONValue { replacing(path: path[...], with: value) }
}
