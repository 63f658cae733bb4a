import BerthModel
import BerthSystem
import FoundationEssentials

/// "apps/v1" + "Deployment".
public struct KubeKind: Sendable, Hashable, Comparable, Codable {
    public var apiVersion: String
    public var kind: String
    public init(_ apiVersion: String, _ kind: String) { self.apiVersion = apiVersion; self.kind = kind }
    public static func < (a: KubeKind, b: KubeKind) -> Bool { (a.apiVersion, a.kind) < (b.apiVersion, b.kind) }
}

/// The kinds berth has applied, kept in the state folder: once a spec with a custom resource
/// is removed, its kind is still looked at, so its objects are found and pruned.
final class KubeKindMemory: Sendable {
    let path: String?
    private let cache = ThreadLock()
    nonisolated(unsafe) private var known: Set<KubeKind>?

    init(path: String?) { self.path = path }

    func remembered() -> [KubeKind] {
        cache.withLock { Array(loaded()) }
    }

    func remember(_ kinds: [KubeKind]) {
        cache.withLock {
            var set = loaded()
            let before = set.count
            set.formUnion(kinds)
            known = set
            guard set.count != before, let path else { return }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            // Never through a link planted in the state folder.
            if let data = try? encoder.encode(set.sorted()) { try? StateFolderGuard.write([UInt8](data), to: path) }
        }
    }

    /// Called with the lock held.
    private func loaded() -> Set<KubeKind> {
        if let known { return known }
        var set: Set<KubeKind> = []
        if let path, let bytes = try? StateFolderGuard.read(path),
           let list = try? JSONDecoder().decode([KubeKind].self, from: Data(bytes)) { set = Set(list) }
        known = set
        return set
    }
}
