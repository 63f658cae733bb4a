import Foundation

/// One page of a list, and what its `metadata` says.
struct KubeListPage {
    var items: [KubeStoredObject]
    var resourceVersion: Int
    var continueToken: String?
    var remainingItemCount: Int?
}

extension KubeStore {
    /// Where a paginated list's snapshot is kept: every object of one kind, in all
    /// namespaces, as it was at one resourceVersion. Tokens do not carry the selector (the
    /// client sends it again with each page), so the snapshot is filtered on each page.
    struct ListSnapshotKey: Hashable {
        var kind: KubeResourceKind
        var resourceVersion: Int
    }

    /// Snapshots kept at most; the oldest go first, and their tokens then read as expired.
    static let keptListSnapshots = 64

    /// A list as `limit` and `continue` ask (`limit` 0: everything left). Later pages come
    /// from the first page's snapshot, so objects written in between do not show, as with
    /// etcd; a token from before a compaction, or whose snapshot is gone, is 410 Expired.
    func listPage(_ kind: KubeResourceKind, namespace: String?, filter: KubeObjectFilter, limit: Int,
                  continue text: String?) throws(KubeStatus) -> KubeListPage {
        let allNamespaces = namespace == nil && kind.namespaced
        var objects: [KubeStoredObject]
        var version = state.resourceVersion
        var from: (namespace: String, name: String)?
        if let text {
            let token = try KubeContinueToken(decoding: text)
            from = token.position(allNamespaces: allNamespaces, namespace: namespace)
            if token.resourceVersion == -1 {
                objects = list(kind, namespace: nil, filter: .everything)
            } else {
                guard token.resourceVersion >= state.oldestWatchable,
                      let kept = state.listSnapshots[ListSnapshotKey(kind: kind, resourceVersion: token.resourceVersion)] else {
                    throw .continueExpired(fresh: KubeContinueToken(resourceVersion: -1, start: token.start).encoded)
                }
                (objects, version) = (kept, token.resourceVersion)
            }
        } else {
            objects = list(kind, namespace: nil, filter: .everything)
        }
        let selected = objects.filter { stored in
            (namespace == nil || stored.key.namespace == namespace) && filter.matches(stored.key, labels: stored.labels)
                && from.map { (stored.key.namespace, stored.key.name) >= $0 } ?? true
        }
        guard limit > 0, selected.count > limit else { return KubeListPage(items: selected, resourceVersion: version) }
        keepListSnapshot(objects, key: ListSnapshotKey(kind: kind, resourceVersion: version))
        let page = Array(selected.prefix(limit))
        let next = KubeContinueToken(resourceVersion: version, after: page[limit - 1].key, allNamespaces: allNamespaces)
        // The real server counts what is left only when no selector has to be applied to it.
        return KubeListPage(items: page, resourceVersion: version, continueToken: next.encoded,
                            remainingItemCount: filter.selectsEverything ? selected.count - limit : nil)
    }

    private func keepListSnapshot(_ objects: [KubeStoredObject], key: ListSnapshotKey) {
        guard state.listSnapshots[key] == nil else { return }
        state.listSnapshots[key] = objects
        while state.listSnapshots.count > Self.keptListSnapshots,
              let oldest = state.listSnapshots.keys.min(by: { $0.resourceVersion < $1.resourceVersion }) {
            state.listSnapshots[oldest] = nil
        }
    }

    /// Forgets history and list snapshots before now, as an etcd compaction does.
    func compactLocked() {
        state.oldestWatchable = state.resourceVersion
        state.history.removeAll()
        state.listSnapshots = state.listSnapshots.filter { $0.key.resourceVersion >= state.oldestWatchable }
    }
}
