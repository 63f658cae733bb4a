/// Observed Kubernetes objects in the planner's terms, so the adapter never needs to know
/// how the planner keys them.
extension ObservedResource {
    /// One object as the API server returned it (a list's items lack apiVersion and kind,
    /// hence the two arguments). `id` is the object's `KubeObjectID` description, `name` its
    /// `berth.name` label, `configHash` its `berth.config-hash` annotation; an object being
    /// deleted (deletionTimestamp set) is `.removing` and left to finish.
    public static func kubernetes(object: JSONValue, apiVersion: String, kind: String, target: TargetName = .kubernetes) -> ObservedResource {
        let metadata = object["metadata"]
        let namespace = metadata?["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let name = metadata?["name"]?.stringValue ?? ""
        let id = KubeObjectID(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name)
        let specName = metadata?["labels"]?[Labels.name]?.stringValue.flatMap { Names.isValid($0) ? SpecName($0) : nil }
        var native = object.objectValue ?? [:]
        native["apiVersion"] = .string(apiVersion)
        native["kind"] = .string(kind)
        var found = ObservedResource(
            id: id.description, target: target, platform: .kubernetes, kind: kind, name: specName, replica: nil,
            engineName: (namespace.map { "\($0)/" } ?? "") + name,
            configHash: metadata?["annotations"]?[Labels.configHash]?.stringValue,
            state: metadata?["deletionTimestamp"].map { $0 == .null ? .running : .removing } ?? .running,
            native: .object(native))
        found.prune = metadata?["labels"]?[Labels.prune]?.stringValue != "false"
        return found
    }

    /// The object this is, for target kubernetes.
    public var kubeObject: KubeObjectID? { platform == .kubernetes ? KubeObjectID(parsing: id) : nil }

    /// The `berth.owner` label of a Kubernetes object: berth acts only on its own.
    public var kubeOwner: String? { native?["metadata"]?["labels"]?[Labels.owner]?.stringValue }

    /// Who holds an object that is not this owner's, for messages: another berth owner,
    /// else the field managers that wrote it ("no berth.owner label; written by kubectl").
    public var kubeHolder: String {
        if let owner = kubeOwner { return "it belongs to berth owner \"\(owner)\"" }
        var managers: [String] = []
        for entry in native?["metadata"]?["managedFields"]?.arrayValue ?? [] {
            if let manager = entry["manager"]?.stringValue, !managers.contains(manager) { managers.append(manager) }
        }
        return "no berth.owner label" + (managers.isEmpty ? "" : "; written by " + managers.joined(separator: ", "))
    }
}
