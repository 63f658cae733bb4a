import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// Containers berth must never touch, made to look as much like berth's own as possible:
/// names `<owner>-<spec>-<n>` (and `…-next`, as a replacement's temporary name), labels
/// `berth.name`/`berth.replica` without `berth.owner`, or `berth.owner` of someone else.
/// A fault test snapshots them once and asks `touched()` after every scenario; any fault
/// suite (crash trials, the fault proxy) can share one set through `BystanderPool`.
struct Bystanders: Sendable {
    /// What a person would compare with `docker inspect`: identity, start time, name, labels.
    struct Snapshot: Sendable, Equatable {
        var id: String
        var name: String
        var startedAt: String
        var running: Bool
        var labels: [String: String]
    }

    let engine: TestEngine
    let snapshots: [Snapshot]
    var ids: [String] { snapshots.map(\.id) }

    /// Makes `count` running look-alikes of the containers `owners` would have for `specs`.
    /// Their replica numbers (90 and up) are outside any spec's range, so berth never needs their names.
    static func make(engine: TestEngine, lookingLike owners: [String], specs: [String], count: Int) async throws -> Bystanders {
        let made = try await parallelMap(Array(0..<count)) { index -> String in
            let owner = owners[index % owners.count], spec = specs[(index / owners.count) % specs.count]
            let replica = String(90 + index)
            let (name, labels): (String, [String: String])
            switch index % 4 {
            case 0: (name, labels) = ("\(owner)-\(spec)-\(replica)", ["berth.name": spec, "berth.replica": replica])
            case 1: (name, labels) = ("\(owner)-\(spec)-\(replica)-x", ["berth.owner": "\(owner)-someone-else", "berth.name": spec, "berth.replica": "1"])
            case 2: (name, labels) = ("\(owner)-\(spec)-\(replica)-next", ["berth.name": spec, "berth.replica": replica, "berth.config-hash": "0000"])
            default: (name, labels) = ("\(owner)-\(spec)-\(replica)", [:])
            }
            return try await create(engine, name: name, labels: labels)
        }
        return try await watching(engine: engine, ids: made)
    }

    /// A running look-alike without a network: a hundred of them must not use up the
    /// engine's bridge addresses (a /24), which the tests' own containers need.
    static func create(_ engine: TestEngine, name: String, labels: [String: String]) async throws -> String {
        let body: JSONValue = .object([
            "Image": .string(TestEngine.demoImage), "Cmd": .array(["sleep", "3600"].map { .string($0) }),
            "Labels": .object(labels.mapValues { .string($0) }),
            "HostConfig": .object(["Init": .bool(true), "NetworkMode": .string("none")]),
        ])
        let (status, created) = try await engine.call("POST", "/containers/create?name=\(name)", body: body)
        guard status == 201, let id = created?["Id"]?.stringValue else {
            throw TestSetupError("creating bystander \(name): \(status) \(created?.serialized() ?? "")")
        }
        _ = try await engine.call("POST", "/containers/\(id)/start")
        return id
    }

    /// Snapshots containers that already exist (made by the caller) to check them later.
    static func watching(engine: TestEngine, ids: [String]) async throws -> Bystanders {
        let snapshots = try await parallelMap(ids) { id in try await snapshot(engine, id) }
        return Bystanders(engine: engine, snapshots: snapshots.compactMap { $0 })
    }

    /// One line per look-alike that was removed, restarted, renamed or relabelled; empty if none.
    /// `ignoringStop`: an engine restart stops them by itself; berth must still not start them.
    func touched(ignoringStop: Bool = false) async throws -> [String] {
        let now = try await Bystanders.parallelMap(snapshots) { before in (before, try await Bystanders.snapshot(engine, before.id)) }
        return now.compactMap { before, after in
            guard var after else { return "\(before.name) (\(before.id.prefix(12))) is gone" }
            if ignoringStop { after.running = before.running }
            return after == before ? nil : "\(before.name) changed: \(before) -> \(after)"
        }
    }

    func remove() async { await engine.cleanUp(owner: "-none-", foreign: ids) }

    static func snapshot(_ engine: TestEngine, _ id: String) async throws -> Snapshot? {
        let (status, json) = try await engine.call("GET", "/containers/\(id)/json")
        guard status == 200, let json else { return nil }
        return Snapshot(
            id: json["Id"]?.stringValue ?? "", name: String((json["Name"]?.stringValue ?? "").drop { $0 == "/" }),
            startedAt: json["State"]?["StartedAt"]?.stringValue ?? "", running: json["State"]?["Running"] == .bool(true),
            labels: (json["Config"]?["Labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue))
    }

    /// Engine calls eight at a time, results in input order.
    static func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ body: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
        var results = [R?](repeating: nil, count: items.count)
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            var next = 0
            func launch() {
                guard next < items.count else { return }
                let index = next
                next += 1
                group.addTask { (index, try await body(items[index])) }
            }
            for _ in 0..<8 { launch() }
            while let (index, result) = try await group.next() {
                results[index] = result
                launch()
            }
        }
        return results.map { $0! }
    }
}

/// One set of bystanders shared by the fault suites of a test run: made by the first suite
/// that asks, removed when the last one lets go.
actor BystanderPool {
    static let shared = BystanderPool()
    /// The run's owner names share this prefix, so the look-alikes can look like all of them.
    nonisolated let runID = "f" + String(UUID().uuidString.lowercased().prefix(6))
    private var making: Task<Bystanders, any Error>?
    private var users = 0

    /// Owners the look-alikes imitate; fault tests use these for their projects.
    nonisolated var owners: [String] { ["apply", "watch", "disk", "proxy"].map { "\(runID)-\($0)" } }
    nonisolated static let specNames = (1...30).map { "s\($0)" }
    /// 100 in `make faults`, 10 in `make test`.
    nonisolated static var count: Int { FaultsReport.isFullRun ? 100 : 10 }

    func acquire(_ engine: TestEngine) async throws -> Bystanders {
        users += 1
        // One Task, so suites asking at the same moment wait for the same containers.
        let task = making ?? Task { [owners] in
            try await Bystanders.make(engine: engine, lookingLike: owners, specs: Self.specNames, count: Self.count)
        }
        making = task
        return try await task.value
    }

    func release() async {
        users -= 1
        guard users == 0, let task = making else { return }
        making = nil
        if let set = try? await task.value { await set.remove() }
    }
}
