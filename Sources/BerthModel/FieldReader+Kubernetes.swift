/// The kubernetes-only fields: `namespace`, the `kubernetes` Deployment fragment and
/// `manifests`, and the portable fields that have no meaning on a cluster.
extension FieldReader {
    static let maxNamespaceLength = 63
    static let maxObjectNameLength = 253

    mutating func namespace(_ node: JSONNode, _ path: JSONPath) -> String? {
        guard let s = string(node, path) else { return nil }
        guard KubeNames.isLabel(s) else {
            fail(node, path, "\(quoted(s)) is not a namespace name: use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit")
            return nil
        }
        return s
    }

    /// A fragment merged over the generated Deployment: it may add to it, not make it
    /// another object.
    mutating func kubernetesFragment(_ node: JSONNode, _ path: JSONPath, name: String?) -> JSONValue? {
        guard case .object = node.kind else {
            fail(node, path, "expected a fragment of an apps/v1 Deployment (an object), got \(node.typeName)")
            return nil
        }
        let before = errors.count
        let fixed = [("apiVersion", "apps/v1"), ("kind", "Deployment")]
        for (key, value) in fixed {
            if let member = node.member(key), member.value.stringValue != value {
                fail(member.value, path.appending(key: key), "the fragment is merged over the generated Deployment and cannot change its \(key) (\"\(value)\"); put other objects in \"manifests\"")
            }
        }
        if let metadata = node.member("metadata") {
            let metadataPath = path.appending(key: "metadata")
            if case .object = metadata.value.kind {
                if let member = metadata.value.member("name"), member.value.stringValue != name {
                    fail(member.value, metadataPath.appending(key: "name"), "the Deployment is named after the spec (\(quoted(name ?? ""))); the fragment cannot rename it")
                }
                if let member = metadata.value.member("namespace") {
                    fail(at: member.keyPosition, metadataPath.appending(key: "namespace"), "set the namespace with the spec's \"namespace\" field, not in the fragment")
                }
                if let labels = metadata.value.member("labels") { kubeLabels(labels.value, metadataPath.appending(key: "labels")) }
            } else {
                fail(metadata.value, metadataPath, "expected an object, got \(metadata.value.typeName)")
            }
        }
        if let spec = node.member("spec") {
            let specPath = path.appending(key: "spec")
            if case .object = spec.value.kind {
                if let selector = spec.value.member("selector") {
                    fail(at: selector.keyPosition, specPath.appending(key: "selector"), "berth sets the selector to its own labels (a selector cannot change once created); it cannot be set here")
                }
                if let replicas = spec.value.member("replicas") {
                    fail(at: replicas.keyPosition, specPath.appending(key: "replicas"), "set \"replicas\" in the spec, not in the fragment")
                }
                if let template = spec.value.member("template"), !isObject(template.value) {
                    fail(template.value, specPath.appending(key: "template"), "expected an object, got \(template.value.typeName)")
                }
            } else {
                fail(spec.value, specPath, "expected an object, got \(spec.value.typeName)")
            }
        }
        return errors.count == before ? node.value : nil
    }

    mutating func manifests(_ node: JSONNode, _ path: JSONPath) -> [KubeManifest]? {
        guard case .array(let items) = node.kind else {
            fail(node, path, "expected an array of Kubernetes objects, got \(node.typeName)")
            return nil
        }
        let before = errors.count
        var out: [KubeManifest] = []
        for (index, item) in items.enumerated() {
            if let manifest = manifest(item, path.appending(index: index)) { out.append(manifest) }
        }
        return errors.count == before ? out : nil
    }

    mutating func manifest(_ node: JSONNode, _ path: JSONPath) -> KubeManifest? {
        guard case .object = node.kind else {
            fail(node, path, "expected a Kubernetes object with apiVersion, kind and metadata.name, got \(node.typeName)")
            return nil
        }
        let before = errors.count
        for key in ["apiVersion", "kind"] {
            guard let member = node.member(key) else { fail(node, path, "missing required field \"\(key)\""); continue }
            guard let text = string(member.value, path.appending(key: key)) else { continue }
            if text.isEmpty || text.contains(" ") || (key == "kind" && text.contains("/")) {
                fail(member.value, path.appending(key: key), "\(quoted(text)) is not a Kubernetes \(key)")
            }
        }
        let metadataPath = path.appending(key: "metadata")
        guard let metadata = node.member("metadata") else {
            fail(node, path, "missing required field \"metadata\" (with at least \"name\")")
            return nil
        }
        guard case .object = metadata.value.kind else {
            fail(metadata.value, metadataPath, "expected an object, got \(metadata.value.typeName)")
            return nil
        }
        if let member = metadata.value.member("name") {
            if let text = string(member.value, metadataPath.appending(key: "name")), !KubeNames.isSubdomain(text) {
                fail(member.value, metadataPath.appending(key: "name"), "\(quoted(text)) is not a Kubernetes object name: use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit")
            }
        } else {
            fail(metadata.value, metadataPath, "missing required field \"name\"")
        }
        if let member = metadata.value.member("namespace") { _ = namespace(member.value, metadataPath.appending(key: "namespace")) }
        if let member = metadata.value.member("labels") { kubeLabels(member.value, metadataPath.appending(key: "labels")) }
        if let member = metadata.value.member("annotations") { kubeLabels(member.value, metadataPath.appending(key: "annotations")) }
        return errors.count == before ? KubeManifest(object: node.value, path: path, position: node.position) : nil
    }

    /// Labels or annotations: strings, and none of berth's own.
    mutating func kubeLabels(_ node: JSONNode, _ path: JSONPath) {
        guard let pairs = stringMap(node, path) else { return }
        for (key, position, _) in pairs where key.hasPrefix(Labels.prefix) {
            fail(at: position, path.appending(key: key), "keys starting with \"\(Labels.prefix)\" are berth's own and cannot be set")
        }
    }

    /// Portable fields a cluster has no place for, refused on target kubernetes with the reason.
    /// A manifests-only spec has no generated Deployment for the portable fields to describe.
    mutating func refuseOnKubernetes(_ members: [JSONMember], _ path: JSONPath, image: ImageSource?, manifestsOnly: Bool) {
        let reasons = [
            "volumes": "volumes are not mapped to Kubernetes; declare them in the \"kubernetes\" fragment or in \"manifests\"",
            "restart": "pods on Kubernetes always restart; remove \"restart\"",
            "removeImage": "the cluster's nodes pull and remove images themselves; remove \"removeImage\"",
        ]
        let deploymentFields = ["command", "env", "ports", "replicas", "labels", "kubernetes", "health"]
        for member in members {
            if let reason = reasons[member.key] {
                fail(at: member.keyPosition, path.appending(key: member.key), reason)
            } else if manifestsOnly && deploymentFields.contains(member.key) {
                fail(at: member.keyPosition, path.appending(key: member.key), "\"\(member.key)\" describes the Deployment berth generates from \"image\"; this spec has no image, only manifests")
            }
        }
        if let image, let position = image.position, let imagePath = image.path {
            switch image.kind {
            case .registry: break
            case .importTarball, .build:
                fail(at: position, imagePath, "the cluster pulls images from a registry itself; an imported or built image is not available to it")
            }
        }
    }

    private func isObject(_ node: JSONNode) -> Bool {
        if case .object = node.kind { true } else { false }
    }
}

/// Kubernetes name grammars (RFC 1123): namespaces are labels, most object names subdomains.
enum KubeNames {
    static func isLabel(_ s: String) -> Bool { s.utf8.count <= FieldReader.maxNamespaceLength && Names.isValid(s) }

    static func isSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= FieldReader.maxObjectNameLength else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { Names.isValid(String($0)) }
    }
}
