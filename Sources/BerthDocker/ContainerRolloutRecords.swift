import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

/// The container rollouts that failed, by owner and spec (`state/docker-rollouts.json`): the
/// config hash they were taking the replicas to and what failed. The engine forgets it (the
/// replicas are rolled back), so berth keeps it, and a watch does not roll the same content
/// out again in a loop. A spec whose content changes is planned again; a rollout that
/// succeeds forgets its spec's record.
public final class ContainerRolloutRecords: @unchecked Sendable {
    let path: String?
    private let lock = ThreadLock()
    private var memory: [String: ContainerRolloutFacts.Failed]?

    /// `path` nil keeps the records in memory only (one process).
    public init(path: String?) { self.path = path }

    /// One owner's failed rollouts, by spec name.
    public func failed(owner: String) -> [String: ContainerRolloutFacts.Failed] {
        let prefix = owner + "/"
        let all = lock.withLock { current() }
        return Dictionary(all.compactMap { $0.key.hasPrefix(prefix) ? (String($0.key.dropFirst(prefix.count)), $0.value) : nil },
                          uniquingKeysWith: { a, _ in a })
    }

    public func record(owner: String, spec: String, _ failed: ContainerRolloutFacts.Failed) throws {
        try lock.withLock {
            var all = current()
            all[owner + "/" + spec] = failed
            memory = all
            try save(all)
        }
    }

    public func forget(owner: String, spec: String) throws {
        try lock.withLock {
            var all = current()
            guard all.removeValue(forKey: owner + "/" + spec) != nil else { return }
            memory = all
            try save(all)
        }
    }

    /// Read from disk each time: an apply beside a stopped watch may have written it since.
    private func current() -> [String: ContainerRolloutFacts.Failed] {
        guard let path else { return memory ?? [:] }
        guard let bytes = try? FileSystem.readFile(path), let root = try? JSONParser.parse(bytes).value.objectValue else { return [:] }
        var out: [String: ContainerRolloutFacts.Failed] = [:]
        for (key, entry) in root {
            guard let hash = entry["configHash"]?.stringValue else { continue }
            out[key] = ContainerRolloutFacts.Failed(configHash: hash, message: entry["message"]?.stringValue ?? "failed")
        }
        return out
    }

    private func save(_ all: [String: ContainerRolloutFacts.Failed]) throws {
        guard let path else { return }
        let json = JSONValue.object(all.mapValues { .object(["configHash": .string($0.configHash), "message": .string($0.message)]) })
        try AtomicFile.write(json.serialized(pretty: true) + "\n", to: path)
    }
}
