import BerthJSON
import BerthSystem
import FoundationEssentials

/// What berth last sent to each Swarm service: the config hash, and the keys of that content
/// the engine did not keep. Kept in the state folder (`swarm-sent.json`) because Swarm's
/// rollback restores the previous spec with its labels, so the engine forgets what failed.
public final class SwarmSentRecords: @unchecked Sendable {
    public struct Record: Sendable, Equatable {
        public var hash: String
        public var unkept: [String]
    }

    let path: String?
    private let lock = ThreadLock()
    private var memory: [String: Record]?

    /// `path` nil keeps the records in memory only (one process).
    public init(path: String?) { self.path = path }

    /// Service name -> record.
    public func load() -> [String: Record] {
        lock.withLock { current() }
    }

    public func record(service: String, hash: String, unkept: [String]) throws {
        try lock.withLock {
            var all = current()
            all[service] = Record(hash: hash, unkept: unkept)
            memory = all
            try save(all)
        }
    }

    public func forget(service: String) throws {
        try lock.withLock {
            var all = current()
            guard all.removeValue(forKey: service) != nil else { return }
            memory = all
            try save(all)
        }
    }

    /// Read from disk on every observation: another berth (an apply beside a stopped watch)
    /// may have written it since.
    private func current() -> [String: Record] {
        guard let path else { return memory ?? [:] }
        guard let bytes = try? FileSystem.readFile(path), let root = try? JSONParser.parse(bytes).value.objectValue else { return [:] }
        var out: [String: Record] = [:]
        for (service, entry) in root {
            guard let hash = entry["hash"]?.stringValue else { continue }
            out[service] = Record(hash: hash, unkept: (entry["unkept"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        return out
    }

    private func save(_ all: [String: Record]) throws {
        guard let path else { return }
        let json = JSONValue.object(all.mapValues {
            .object(["hash": .string($0.hash), "unkept": .array($0.unkept.map { .string($0) })])
        })
        try AtomicFile.write(json.serialized(pretty: true) + "\n", to: path)
    }
}
