import BerthJSON
import Foundation

/// One open watch: which changes it wants, and the event lines waiting to be written.
final class KubeWatcher: @unchecked Sendable {
    let kind: KubeResourceKind
    let namespace: String?
    let filter: KubeObjectFilter
    private let lock = NSLock()
    private var pending: [String] = []
    private var closed = false

    init(kind: KubeResourceKind, namespace: String?, filter: KubeObjectFilter) {
        self.kind = kind
        self.namespace = namespace
        self.filter = filter
    }

    /// Queues the change as this watch sees it; called by the store under its lock. An
    /// object whose labels move it into or out of the selection is ADDED or DELETED here,
    /// as the real server reports it.
    func offer(_ change: KubeChange) {
        guard change.key.kind == kind, namespace == nil || change.key.namespace == namespace else { return }
        let selectedNow = filter.matches(change.key, labels: change.labels)
        var type = change.type
        if type == "MODIFIED", let before = change.previousLabels {
            switch (filter.matches(change.key, labels: before), selectedNow) {
            case (true, true): break
            case (false, true): type = "ADDED"
            case (true, false): type = "DELETED"
            case (false, false): return
            }
        } else if !selectedNow {
            return
        }
        enqueue(Self.line(type: type, object: change.object))
    }

    func enqueue(_ line: String) {
        lock.lock()
        pending.append(line)
        lock.unlock()
    }

    /// Takes every queued line.
    func drain() -> [String] {
        lock.lock()
        defer { lock.unlock() }
        let lines = pending
        pending = []
        return lines
    }

    /// Ends the watch as a server closing the stream would.
    func close() {
        lock.lock()
        closed = true
        lock.unlock()
    }

    var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closed
    }

    static func line(type: String, object: JSONValue) -> String {
        JSONValue.object(["type": .string(type), "object": object]).serialized() + "\n"
    }
}

/// Parameters of a watch request.
struct KubeWatchRequest: Sendable {
    var kind: KubeResourceKind
    var namespace: String?
    var filter: KubeObjectFilter
    var resourceVersion: String?
    var allowBookmarks: Bool
    var timeout: Duration
    var bookmarkInterval: Duration
}

extension KubeStore {
    /// Opens a watch: the events already due (history after the resourceVersion, or ADDED
    /// for every existing object), or the one ERROR event when the resourceVersion is compacted.
    func openWatch(_ request: KubeWatchRequest) -> (watcher: KubeWatcher, expired: Bool) {
        let watcher = KubeWatcher(kind: request.kind, namespace: request.namespace, filter: request.filter)
        withLock { store in
            let since = request.resourceVersion.flatMap { Int($0) }
            if let since, since != 0 {
                if since < store.state.oldestWatchable {
                    let status = KubeStatus.expired(requested: request.resourceVersion!, oldest: store.state.oldestWatchable)
                    watcher.enqueue(KubeWatcher.line(type: "ERROR", object: status.body))
                    watcher.close()
                    return
                }
                for change in store.state.history where change.resourceVersion > since { watcher.offer(change) }
            } else {
                for stored in store.list(request.kind, namespace: request.namespace, filter: request.filter) {
                    watcher.enqueue(KubeWatcher.line(type: "ADDED", object: stored.rendered))
                }
            }
            store.state.watchers[ObjectIdentifier(watcher)] = watcher
        }
        return (watcher, watcher.isClosed)
    }

    func closeWatch(_ watcher: KubeWatcher) {
        withLock { $0.state.watchers[ObjectIdentifier(watcher)] = nil }
    }

    /// Ends every open watch (each sends its last bookmark, if allowed, and closes).
    func closeAllWatches() {
        withLock { store in
            for watcher in store.state.watchers.values { watcher.close() }
        }
    }

    var currentResourceVersion: String { withLock { String($0.state.resourceVersion) } }

    /// The body of a watch response: writes events as they come, a BOOKMARK now and then
    /// (and last) when allowed, until the timeout, the client leaving, or `closeAllWatches`.
    func streamWatch(_ request: KubeWatchRequest, to writer: HTTPServerStreamWriter) {
        let (watcher, expired) = openWatch(request)
        defer { closeWatch(watcher) }
        let start = ContinuousClock.now
        var lastBookmark = start
        while true {
            // Read the resourceVersion before draining: a bookmark never claims a change not yet written.
            let resourceVersion = currentResourceVersion
            for line in watcher.drain() where !writer.write(line) { return }
            if expired { return }
            let now = ContinuousClock.now
            let finished = watcher.isClosed || now - start >= request.timeout
            if request.allowBookmarks && (finished || now - lastBookmark >= request.bookmarkInterval) {
                lastBookmark = now
                let bookmark: JSONValue = .object([
                    "kind": .string(request.kind.kind), "apiVersion": .string(request.kind.apiVersion),
                    "metadata": .object(["resourceVersion": .string(resourceVersion)]),
                ])
                guard writer.write(KubeWatcher.line(type: "BOOKMARK", object: bookmark)) else { return }
            }
            if finished { return }
            guard writer.wait(.milliseconds(20)) else { return }
        }
    }
}
