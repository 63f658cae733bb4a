import BerthJSON

/// CustomResourceDefinitions as the real server treats them: once one is written, the kinds it
/// defines are served (discovery, list, get, apply...) a moment later, when it is Established.
/// A client that applies a CRD and an object of its kind together meets that moment as a 404.
extension KubeStore {
    /// Called for every committed change: a CRD's kinds are scheduled, or withdrawn when it goes.
    func noteCustomResourceDefinition(_ change: KubeStoredObject, type: String) {
        guard change.key.kind.isCustomResourceDefinition else { return }
        let defined = type == "DELETED" ? [] : Self.kinds(definedBy: change.object)
        let spec = change.object["spec"]
        func same(_ kind: KubeResourceKind) -> Bool {
            kind.group == spec?["group"]?.stringValue && kind.plural == spec?["names"]?["plural"]?.stringValue
        }
        // Versions still defined stay served through an update; the others go now.
        state.kinds.removeAll { same($0) && !defined.contains($0) }
        state.establishing.removeAll { same($0.kind) }
        let due = establishDelay.map { ContinuousClock.now + $0 }
        state.establishing += defined.filter { !state.kinds.contains($0) }.map { (kind: $0, due: due) }
    }

    /// Serves the kinds whose CRD has been established by now (`all`: every one written).
    func establishDueKinds(all: Bool = false) {
        let now = ContinuousClock.now
        let due = { (pending: (kind: KubeResourceKind, due: ContinuousClock.Instant?)) in all || pending.due.map { $0 <= now } ?? false }
        state.kinds += state.establishing.filter(due).map(\.kind)
        state.establishing.removeAll(where: due)
    }

    /// One kind per served version of `spec.versions`, scoped by `spec.scope`.
    static func kinds(definedBy object: JSONValue) -> [KubeResourceKind] {
        let spec = object["spec"]
        guard let group = spec?["group"]?.stringValue, let kind = spec?["names"]?["kind"]?.stringValue,
              let plural = spec?["names"]?["plural"]?.stringValue else { return [] }
        let namespaced = spec?["scope"]?.stringValue != "Cluster"
        return (spec?["versions"]?.arrayValue ?? []).compactMap { version in
            guard let name = version["name"]?.stringValue, version["served"]?.boolValue != false else { return nil }
            return KubeResourceKind(group: group, version: name, kind: kind, plural: plural, namespaced: namespaced,
                                    shortNames: (spec?["names"]?["shortNames"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
    }
}

extension KubeResourceKind {
    /// apiextensions.k8s.io/v1 CustomResourceDefinition, whose objects define other kinds.
    var isCustomResourceDefinition: Bool { group == "apiextensions.k8s.io" && plural == "customresourcedefinitions" }
}
