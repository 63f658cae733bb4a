import BerthCommands
import BerthJournal
import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// A fault scenario's fixture: a project whose berth talks to the engine through a
/// `FaultProxy`, and unmanaged look-alike containers that must come out untouched.
struct FaultBench {
    let project: Project
    let proxy: FaultProxy
    let unmanaged: [String: Snapshot]
    /// Short, so a stalled request becomes a timeout (and a retry) within seconds; not too
    /// short, as a busy engine may take a few seconds to start a container.
    static let engineTimeout = "5s"

    /// What a person would compare with `docker inspect` to see whether a container was touched.
    struct Snapshot: Equatable {
        var name: String
        var startedAt: String
        var running: Bool
        var restarts: Int
    }

    /// Runs `body` with a fresh project, proxy and `unmanaged` look-alikes; cleans everything up.
    static func with(_ schedule: FaultSchedule, unmanaged count: Int = 10, _ body: (FaultBench) async throws -> Void) async throws {
        let engine = try TestEngine()
        let proxy = try FaultProxy(upstream: engine.host, schedule: schedule)
        try proxy.start()
        defer { proxy.stop() }
        try await Project.with(foreign: { p in try await makeUnmanaged(count, project: p) }) { p, foreign in
            var snapshots: [String: Snapshot] = [:]
            for id in foreign { snapshots[id] = try await snapshot(id, engine: engine) }
            try await body(FaultBench(project: p, proxy: proxy, unmanaged: snapshots))
        }
    }

    /// Look-alikes of four kinds: berth's naming, berth's labels without an owner, another
    /// owner whose name starts with ours, and another owner with a config hash.
    static func makeUnmanaged(_ count: Int, project p: Project) async throws -> [String] {
        let owner = p.owner
        return try await withThrowingTaskGroup(of: String.self) { group in
            var made: [String] = []
            for i in 0..<count {
                if i >= 8 { made.append(try await group.next()!) }
                group.addTask {
                    switch i % 4 {
                    case 0: return try await makeOne(p, "\(owner)-web-\(i)", ["app": "web"])
                    case 1: return try await makeOne(p, "\(owner)-u\(i)-1", ["berth.name": "s1", "berth.replica": "1"])
                    case 2: return try await makeOne(p, "\(owner)-x-s1-\(i)", ["berth.owner": "\(owner)-x", "berth.name": "s1", "berth.replica": "1"])
                    default: return try await makeOne(p, "other-\(owner)-s2-\(i)", ["berth.owner": "other-\(owner)", "berth.name": "s2",
                                                                                    "berth.replica": "1", "berth.config-hash": "0000"])
                    }
                }
            }
            for try await id in group { made.append(id) }
            return made
        }
    }

    /// A running container berth did not make, without a network: a hundred of them must not
    /// use up the shared engine's bridge addresses.
    static func makeOne(_ p: Project, _ name: String, _ labels: [String: String]) async throws -> String {
        let body: JSONValue = .object([
            "Image": .string(TestEngine.demoImage), "Cmd": .array(["sleep", "3600"].map { .string($0) }),
            "Labels": .object(labels.mapValues { .string($0) }),
            "HostConfig": .object(["Init": .bool(true), "NetworkMode": .string("none")]),
        ])
        let (status, created) = try await p.engine.call("POST", "/containers/create?name=\(name)", body: body)
        let id = try #require(created?["Id"]?.stringValue, "creating unmanaged container \(name): \(status) \(created?.serialized() ?? "")")
        let (started, said) = try await p.engine.call("POST", "/containers/\(id)/start")
        try #require(started == 204, "starting unmanaged container \(name): \(started) \(said?.serialized() ?? "")")
        return id
    }

    static func snapshot(_ id: String, engine: TestEngine) async throws -> Snapshot? {
        guard let json = try await engine.inspect(id), json["Id"]?.stringValue == id else { return nil }
        return Snapshot(name: json["Name"]?.stringValue ?? "", startedAt: json["State"]?["StartedAt"]?.stringValue ?? "",
                        running: json["State"]?["Running"] == .bool(true), restarts: json["RestartCount"]?.intValue ?? -1)
    }

    /// berth in process, as the executable runs it, through the proxy.
    func berth(_ args: String...) async -> Project.Run {
        let console = Console.capturing()
        let argv = ["--specs", project.specs, "--state", project.state, "--owner", project.owner, "--docker-host", proxy.url] + args
        let status = await BerthCLI.run(argv, environment: ["BERTH_ENGINE_TIMEOUT": FaultBench.engineTimeout], console: console)
        return Project.Run(status: status, stdout: console.stdout, stderr: console.stderr)
    }

    /// Unmanaged containers stopped, removed, renamed or restarted since the start.
    func unmanagedTouched() async throws -> [String] {
        var touched: [String] = []
        for (id, before) in unmanaged {
            let now = try await FaultBench.snapshot(id, engine: project.engine)
            if now != before { touched.append("\(before.name): \(String(describing: now))") }
        }
        return touched
    }

    /// Replicas with more than one container (same berth.name and berth.replica).
    func duplicates() async throws -> Int {
        let groups = Dictionary(grouping: try await project.containers()) { "\($0.labels["berth.name"] ?? "")#\($0.labels["berth.replica"] ?? "")" }
        return groups.values.filter { $0.count > 1 }.count
    }

    /// Every replica of every spec running under its own name, and nothing else of ours.
    func isConverged(_ replicas: [String: Int]) async throws -> Bool {
        let running = try await project.containers().filter { $0.state == "running" }.map(\.name).sorted()
        let all = try await project.containers().map(\.name).sorted()
        let wanted = replicas.flatMap { name, count in (0..<count).map { "\(project.owner)-\(name)-\($0 + 1)" } }.sorted()
        return running == wanted && all == wanted
    }

    func journal() throws -> JournalContents { try JournalReader.read(path: project.state + "/journal.jsonl") }

    /// Action starts without an outcome for the same attempt, plus lines that do not parse.
    func journalLinesLost() throws -> Int {
        let contents = try journal()
        func key(_ r: JournalRecord) -> String { "\(r.name ?? "")#\(r.replica ?? 0)#\(r.op ?? "")#\(r.attempt ?? 0)" }
        let outcomes = Set(contents.records.filter { ["action-ok", "action-retry", "action-failed"].contains($0.event) }.map(key))
        let starts = contents.records.filter { $0.event == "action-start" }
        return starts.filter { !outcomes.contains(key($0)) }.count + contents.badLines.count
    }

    /// The report line for this scenario, recorded for `make faults`.
    @discardableResult
    func report(_ scenario: String, trials: Int, converged: Bool) async throws -> FaultsReport {
        let report = FaultsReport(
            scenario: scenario, trials: trials, faults: proxy.counts, converged: converged, duplicates: try await duplicates(),
            unownedTouched: try await unmanagedTouched().count, journalLinesLost: try journalLinesLost(), seed: proxy.seed)
        report.record()
        return report
    }

    /// The error lines of a failed apply must say what berth was doing and what the engine
    /// said (or that it said nothing); returns the lines that do not.
    static func unclearErrors(_ stderr: String) -> [String] {
        let doing = ["creating", "starting", "stopping", "removing", "inspecting", "renaming", "listing", "asking", "reading",
                     "updating", "pulling", "following", "looking up", "joining", "moving", "taking", "deleting"]
        let said = ["engine answered 5", "engine answered 4", "connection closed", "timed out", "connection reset", "cannot reach"]
        return stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("failed [") || $0.hasPrefix("berth: ") }
            .filter { line in !(doing.contains { line.contains($0 + " ") } && said.contains { line.contains($0) }) }
    }
}
