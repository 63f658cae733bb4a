import BerthEngine
import BerthHTTP
import BerthJSON
import BerthModel
import FoundationEssentials

extension KubernetesAdapter: EventSource {
    /// The API's watch on every kind berth looks at, merged into one stream of spec names.
    /// Bookmarks keep the resourceVersion fresh; a watch that ends is reopened where it left
    /// off; 410 Gone relists and reports every spec seen before or after, since anything may
    /// have happened in between (deletions included).
    public func events(owner: String) async throws -> AsyncThrowingStream<ResourceEvent, Error> {
        var types: [KubeResourceType] = []
        for kind in Set(KubernetesAdapter.alwaysObserved + kinds.remembered()).sorted() {
            if let type = try await discovery.type(apiVersion: kind.apiVersion, kind: kind.kind) { types.append(type) }
        }
        // List first, so a failure to connect is the caller's to see now.
        var starts: [(KubeResourceType, [JSONValue], String?)] = []
        for type in types {
            let (objects, version) = try await list(type, owner: owner)
            starts.append((type, objects, version))
        }
        let (stream, continuation) = AsyncThrowingStream<ResourceEvent, Error>.makeStream()
        let group = Task {
            await withThrowingTaskGroup(of: Void.self) { tasks in
                for (type, objects, version) in starts {
                    tasks.addTask {
                        var watcher = KubeWatcher(adapter: self, type: type, owner: owner, resourceVersion: version,
                                                  names: Set(objects.compactMap(KubeWatcher.specName)))
                        try await watcher.run { continuation.yield($0) }
                    }
                }
                do {
                    try await tasks.next()
                    continuation.finish(throwing: BerthError(.engineError, "the Kubernetes watch ended", isRetryable: true))
                } catch {
                    continuation.finish(throwing: error)
                }
                tasks.cancelAll()
            }
        }
        continuation.onTermination = { _ in group.cancel() }
        return stream
    }
}

/// One kind's watch, kept open for as long as the task runs.
struct KubeWatcher {
    let adapter: KubernetesAdapter
    let type: KubeResourceType
    let owner: String
    var resourceVersion: String?
    /// Spec names of the objects seen, to report after a relist.
    var names: Set<SpecName>

    mutating func run(_ yield: @Sendable (ResourceEvent) -> Void) async throws {
        while !Task.isCancelled {
            var path = type.collectionPath(namespace: nil) + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=300"
                + "&labelSelector=" + KubernetesAdapter.selector(owner)
            if let resourceVersion { path += "&resourceVersion=" + resourceVersion }
            let stream = try await adapter.client.stream(path, doing: "watching \(type.apiVersion) \(type.kind) objects")
            defer { stream.cancel() }
            var expired = false
            for try await line in stream.lines {
                guard let event = JSONValue(answer: line), let kind = event["type"]?.stringValue else { continue }
                let object = event["object"]
                if kind == "ERROR" {
                    // 410: the version is too old to resume from; anything else, start over too.
                    expired = true
                    break
                }
                if let version = object?["metadata"]?["resourceVersion"]?.stringValue { resourceVersion = version }
                guard kind != "BOOKMARK", let object, let name = KubeWatcher.specName(object) else { continue }
                if kind == "DELETED" { names.remove(name) } else { names.insert(name) }
                yield(ResourceEvent(target: adapter.target, name: name, action: kind.lowercased()))
            }
            if expired { try await relist(yield) }
        }
    }

    mutating func relist(_ yield: @Sendable (ResourceEvent) -> Void) async throws {
        let (objects, version) = try await adapter.list(type, owner: owner)
        let now = Set(objects.compactMap(KubeWatcher.specName))
        for name in names.union(now).sorted() { yield(ResourceEvent(target: adapter.target, name: name, action: "relist")) }
        names = now
        resourceVersion = version
    }

    static func specName(_ object: JSONValue) -> SpecName? {
        guard let name = object["metadata"]?["labels"]?["berth.name"]?.stringValue, Names.isValid(name) else { return nil }
        return SpecName(name)
    }
}
