import BerthJSON

/// Server-side apply: the manager's applied configuration becomes the set of fields it
/// owns; fields other managers own and the apply would change are conflicts unless forced.
extension KubeStore {
    /// Applies `body` as `manager`; `created` tells 201 from 200.
    func apply(_ key: KubeObjectKey, body: JSONValue, manager: String,
               force: Bool) throws(KubeStatus) -> (stored: KubeStoredObject, created: Bool) {
        try KubeValidation.checkApplyTypes(body, key: key)
        try KubeSchema.checkApply(body, key: key)
        let applied = KubeFieldPath.leaves(of: body)
        guard let old = state.objects[key] else {
            try checkNamespaceWritable(for: key)
            let object = Self.freshObject(key, body: body)
            let entry = KubeManagedEntry(manager: manager, operation: "Apply", apiVersion: key.kind.apiVersion, time: Self.now(),
                                         subresource: nil, fields: Set(applied.keys))
            return (try write(key, old: nil, object: object, managers: [entry]).stored, true)
        }
        let current = old.object
        var conflicts: [(manager: String, path: KubeFieldPath)] = []
        for (path, value) in applied.sorted(by: { $0.key < $1.key }) where !path.isItem {
            guard path.value(in: current) != value else { continue }
            for entry in old.managers where !(entry.manager == manager && entry.operation == "Apply") && entry.fields.contains(path) {
                conflicts.append((entry.manager, path))
            }
        }
        if !conflicts.isEmpty && !force {
            throw .fieldManagerConflicts(conflicts.map { ($0.manager, $0.path.description) }, apiVersion: key.kind.apiVersion)
        }
        var managers = old.managers
        for (owner, path) in conflicts {
            for index in managers.indices where managers[index].manager == owner { managers[index].fields.remove(path) }
        }
        let mine = managers.firstIndex { $0.manager == manager && $0.operation == "Apply" && $0.subresource == nil }
        let previous = mine.map { managers[$0].fields } ?? []
        let ownedByOthers = managers.enumerated().filter { $0.offset != mine }.reduce(into: Set<KubeFieldPath>()) {
            $0.formUnion($1.element.fields)
        }
        var object = current
        // Fields this manager applied before and no longer does are removed, unless another
        // manager still holds them. Deepest first, so an item goes after its fields.
        // A list item no other manager holds anything in goes whole: its fields are not
        // removed one by one first, or the item would no longer match its own key.
        let removals = previous.subtracting(applied.keys).subtracting(ownedByOthers)
        let items = removals.filter { item in item.isItem && !ownedByOthers.contains { $0.isWithin(item) } }
        for path in removals.sorted(by: { $0.components.count > $1.components.count })
        where !items.contains(where: { $0 != path && path.isWithin($0) }) {
            object = path.removing(from: object)
            // A list or map left empty by the removal goes too, as the field its applier owned.
            for depth in stride(from: path.components.count - 1, through: 1, by: -1) {
                let parent = KubeFieldPath(Array(path.components.prefix(depth)))
                let value = parent.value(in: object)
                guard value?.arrayValue?.isEmpty == true || value?.objectValue?.isEmpty == true else { break }
                object = parent.removing(from: object)
            }
        }
        for (path, value) in applied.sorted(by: { $0.key.components.count < $1.key.components.count }) {
            object = path.setting(value, in: object)
        }
        var entry = mine.map { managers[$0] }
            ?? KubeManagedEntry(manager: manager, operation: "Apply", apiVersion: key.kind.apiVersion, time: Self.now(),
                                subresource: nil, fields: [])
        entry.fields = Set(applied.keys)
        // The apply's time moves only when something is written; a no-op keeps the old entry.
        entry.time = Self.now()
        if let mine { managers[mine] = entry } else { managers.append(entry) }
        return (try write(key, old: old, object: object, managers: managers).stored, false)
    }
}
