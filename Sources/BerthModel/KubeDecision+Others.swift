/// Objects a spec names that exist but are not wholly berth's. One that carries this owner's
/// label but lost `berth.name` is berth's own: its labels are restored. One without the owner
/// label (or with another owner's) is someone else's: berth never touches it unless the spec
/// says `"adopt": true`, and planning it as a create would overwrite it.
extension KubeDecision {
    struct Others {
        /// By `KubeObjectID.identity`: this owner's label, no valid `berth.name`.
        var unnamed: [String: ObservedResource] = [:]
        /// By identity: no owner label, or another owner's.
        var foreign: [String: ObservedResource] = [:]
        /// By identity: objects being deleted (a terminating namespace), made again once gone.
        var removing: [String: ObservedResource] = [:]
        /// Namespaces being deleted: what berth wants in them goes with them, and is made again.
        var terminatingNamespaces: Set<String> = []

        init() {}

        init(_ observed: [ObservedResource], owner: String) {
            for resource in observed where resource.platform == .kubernetes {
                guard let id = resource.kubeObject else { continue }
                if resource.state == .removing {
                    removing[id.identity] = resource
                    if id.kind == "Namespace" && id.group.isEmpty { terminatingNamespaces.insert(id.name) }
                    continue
                }
                if resource.kubeOwner != owner {
                    foreign[id.identity] = foreign[id.identity] ?? resource
                } else if resource.name == nil {
                    unnamed[id.identity] = unnamed[id.identity] ?? resource
                }
            }
        }

        /// The action for an object found only here (nil: not here, decide as usual); an
        /// object that is someone else's and not to be adopted is an error and no action.
        func decide(_ object: KubeObject, spec: Spec, into result: inout Result) -> [Action]? {
            let identity = object.id.identity
            if removing[identity] != nil {
                return [KubeDecision.action(.create, object, spec: spec, found: nil, reason: "being deleted: made again once it is gone")]
            }
            if let found = unnamed[identity] {
                let drift = KubeDrift.changes(desired: object.body, observed: found.native)
                return [KubeDecision.action(.update, object, spec: spec, found: found, reason: "labels restored", changes: drift)]
            }
            guard let found = foreign[identity] else { return nil }
            let whose = found.kubeHolder
            if spec.adopt {
                return [KubeDecision.action(.adopt, object, spec: spec, found: found,
                                            reason: "exists and is not berth's (\(whose)); taken over as the spec says \"adopt\": true",
                                            changes: KubeDrift.changes(desired: object.body, observed: found.native))]
            }
            result.errors.append(SpecError(
                file: object.origin.file, path: object.origin.path, position: object.origin.position,
                message: "\(object.id) already exists and is not berth's (\(whose)); berth leaves it alone: rename the object, "
                    + "or add \"adopt\": true to spec \(spec.name) to take it over"))
            return []
        }

        /// An object of berth's in a namespace being deleted goes with it: it is made again.
        func inTerminatingNamespace(_ object: KubeObject, spec: Spec) -> Action? {
            guard let namespace = object.id.namespace, terminatingNamespaces.contains(namespace) else { return nil }
            return KubeDecision.action(.create, object, spec: spec, found: nil,
                                       reason: "namespace \(namespace) is being deleted: made again once it is gone")
        }
    }
}
