/// Kubernetes: the namespace and kind of every object a spec makes, and the risky fields of
/// every pod spec in the Deployment fragment and in manifests (a Pod's `spec`, a workload's
/// `spec.template.spec`, a CronJob's job template: any object holding `containers`).
extension RiskScan {
    /// `namespace` is the spec's own (nil: the kubeconfig context's, unknown here).
    mutating func kubernetes(spec node: JSONNode, _ path: JSONPath, generatesDeployment: Bool) {
        let namespaceMember = node.member("namespace")
        let namespace = namespaceMember?.value.stringValue
        if generatesDeployment {
            let at = namespaceMember.map { (path.appending(key: "namespace"), $0.value) } ?? (path, node)
            add(.kubernetesNamespace, namespace ?? "", "the generated Deployment" + (namespace.map { " in namespace \(quoted($0))" } ?? ""), at.1, at.0)
        }
        if let fragment = node["kubernetes"] { podSpecs(in: fragment, path.appending(key: "kubernetes")) }
        for (index, manifest) in (node["manifests"]?.elements ?? []).enumerated() {
            self.manifest(manifest, path.appending(key: "manifests").appending(index: index), specNamespace: namespaceMember.map { ($0.value, path.appending(key: "namespace")) })
        }
    }

    /// `specNamespace`: the spec's `namespace` node, which a manifest naming none inherits.
    private mutating func manifest(_ node: JSONNode, _ path: JSONPath, specNamespace: (JSONNode, JSONPath)?) {
        guard let kindNode = node["kind"], let kind = kindNode.stringValue else { return }
        let name = node["metadata"]?["name"]?.stringValue ?? ""
        add(.kubernetesKind, kind, "\(kind) \(quoted(name))", kindNode, path.appending(key: "kind"))
        if !Policy.clusterScopedKinds.contains(kind) {
            let own = node["metadata"]?.member("namespace")
            let namespace = own?.value.stringValue ?? specNamespace?.0.stringValue
            let at = own.map { (path.appending(key: "metadata").appending(key: "namespace"), $0.value) } ?? specNamespace.map { ($0.1, $0.0) } ?? (path, node)
            add(.kubernetesNamespace, namespace ?? "", "\(kind) \(quoted(name))" + (namespace.map { " in namespace \(quoted($0))" } ?? ""), at.1, at.0)
        }
        podSpecs(in: node, path)
    }

    /// Every object holding a `containers` list under `node`.
    mutating func podSpecs(in node: JSONNode, _ path: JSONPath) {
        guard let members = node.members else {
            for (index, item) in (node.elements ?? []).enumerated() { podSpecs(in: item, path.appending(index: index)) }
            return
        }
        if node["containers"]?.elements != nil { podSpec(node, path); return }
        for member in members { podSpecs(in: member.value, path.appending(key: member.key)) }
    }

    private mutating func podSpec(_ node: JSONNode, _ path: JSONPath) {
        for key in ["hostNetwork", "hostPID", "hostIPC"] {
            if let value = node[key], value.isTrue { add(.hostNamespaces, key, "\(key): true (the host's namespace)", value, path.appending(key: key)) }
        }
        for (index, volume) in (node["volumes"]?.elements ?? []).enumerated() {
            if let host = volume["hostPath"]?["path"], let text = host.stringValue {
                hostPath(text, host, path.appending(key: "volumes").appending(index: index).appending(key: "hostPath").appending(key: "path"))
            }
        }
        if let context = node["securityContext"] { securityContext(context, path.appending(key: "securityContext")) }
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for (index, container) in (node[list]?.elements ?? []).enumerated() {
                let at = path.appending(key: list).appending(index: index)
                if let image = container["image"], let text = image.stringValue { self.image(text, image, at.appending(key: "image")) }
                if let context = container["securityContext"] { securityContext(context, at.appending(key: "securityContext")) }
            }
        }
    }

    /// A pod's or a container's securityContext.
    private mutating func securityContext(_ node: JSONNode, _ path: JSONPath) {
        if let value = node["privileged"], value.isTrue { add(.privileged, "", "privileged container", value, path.appending(key: "privileged")) }
        if let add = node["capabilities"]?["add"] {
            for (cap, item, itemPath) in RiskScan.strings(add, path.appending(key: "capabilities").appending(key: "add")) {
                self.add(.capabilities, cap, "added capability \(quoted(cap))", item, itemPath)
            }
        }
        for key in ["seccompProfile", "appArmorProfile"] {
            if let type = node[key]?["type"], type.stringValue == "Unconfined" {
                add(.unconfined, key, "\(key) \"Unconfined\"", type, path.appending(key: key).appending(key: "type"))
            }
        }
        if let mount = node["procMount"], mount.stringValue == "Unmasked" {
            add(.unconfined, "procMount", "procMount \"Unmasked\"", mount, path.appending(key: "procMount"))
        }
    }
}
