import BerthJournal
import BerthTestSupport
import Foundation

/// What a person checks after berth was killed: the journal still reads, a fresh apply
/// converges, no replica is doubled, nothing without berth's labels was made, bystanders are untouched.
struct CrashCheck {
    let project: Project
    /// Line numbers of torn tails already tolerated in earlier trials (they stay in the file).
    private(set) var knownTorn: Set<Int> = []
    private(set) var seqSeen = 0

    /// Totals over all trials, for the report.
    private(set) var tornTails = 0
    private(set) var linesLost = 0
    private(set) var unfinishedStarts = 0
    private(set) var unexplainedStarts = 0
    private(set) var duplicates = 0
    private(set) var unlabelled = 0
    private(set) var unownedTouched = 0
    private(set) var notConverged = 0
    private(set) var problems: [String] = []

    init(project: Project) { self.project = project }

    /// Reads the journal right after a kill: a torn last line is tolerated (and counted),
    /// any other unparsable line or a repeated or decreasing seq is a lost line. Returns the
    /// keys of action-starts the killed run left without an outcome.
    mutating func readJournalAfterKill(trial: Int) throws -> Set<String> {
        let path = project.state + "/journal.jsonl"
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let contents = try JournalReader.read(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lastLine = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .last { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }.map { $0.offset + 1 } ?? 0
        for line in contents.badLines where !knownTorn.contains(line) {
            if line == lastLine {
                tornTails += 1
                knownTorn.insert(line)
            } else {
                linesLost += 1
                problems.append("trial \(trial): journal line \(line) does not parse and is not the torn tail")
            }
        }
        let fresh = contents.records.filter { $0.seq > seqSeen }
        var previous = seqSeen
        for record in fresh where record.seq <= previous {
            linesLost += 1
            problems.append("trial \(trial): journal seq \(record.seq) after \(previous)")
        }
        for record in fresh { previous = max(previous, record.seq) }
        // A kill can land between action-start and its outcome: the next apply must explain it.
        var open: [String: Int] = [:]
        for record in fresh where record.event.hasPrefix("action-") && record.event != "action-held" {
            let key = "\(record.name ?? "")#\(record.replica.map(String.init) ?? "-")"
            if record.event == "action-start" { open[key, default: 0] += 1 } else { open[key, default: 0] -= 1 }
        }
        let unfinished = Set(open.filter { $0.value > 0 }.keys)
        unfinishedStarts += unfinished.count
        seqSeen = previous
        return unfinished
    }

    /// Runs a fresh `berth apply` and checks the result against `desired` (spec name -> replicas).
    /// Returns whether this trial converged.
    @discardableResult
    mutating func converge(trial: Int, desired: [String: Int], unfinished: Set<String>, bystanders: Bystanders) async throws -> Bool {
        try await settle()
        let apply = await project.berth("apply")
        var ok = apply.status == 0
        if !ok { problems.append("trial \(trial): fresh apply exited \(apply.status): \(apply.stderr.suffix(600))") }

        let mine = try await project.containers()
        var byReplica: [String: [Container]] = [:]
        for container in mine {
            byReplica["\(container.labels["berth.name"] ?? "?")#\(container.labels["berth.replica"] ?? "?")", default: []].append(container)
        }
        for (key, group) in byReplica where group.count > 1 {
            duplicates += group.count - 1
            ok = false
            problems.append("trial \(trial): \(group.count) containers for \(key): \(group.map(\.name))")
        }
        var expected: Set<String> = []
        for (name, replicas) in desired where replicas > 0 {
            for replica in 1...replicas { expected.insert("\(project.owner)-\(name)-\(replica)") }
        }
        let running = Set(mine.filter { $0.state == "running" }.map(\.name))
        if running != expected || mine.count != expected.count {
            ok = false
            problems.append("trial \(trial): expected \(expected.count) running, missing \(expected.subtracting(running).sorted()), extra \(Set(mine.map(\.name)).subtracting(expected).sorted())")
        }
        for (name, _) in desired {
            let hashes = Set(mine.filter { $0.labels["berth.name"] == name }.map { $0.labels["berth.config-hash"] ?? "" })
            if hashes.count > 1 { ok = false; problems.append("trial \(trial): \(name) runs \(hashes.count) configurations") }
        }
        let plan = await project.berth("plan", "--detailed-exitcode")
        if plan.status != 0 { ok = false; problems.append("trial \(trial): plan after apply is not empty: \(plan.stdout.prefix(400))") }

        // Every action the kill cut short is accounted for: its replica is now as desired.
        for key in unfinished {
            let parts = key.split(separator: "#").map(String.init)
            guard parts.count == 2, let wanted = desired[parts[0]] else { continue }
            let replica = Int(parts[1]) ?? 0
            let present = mine.contains { $0.labels["berth.name"] == parts[0] && $0.labels["berth.replica"] == parts[1] }
            if present != (replica >= 1 && replica <= wanted) { unexplainedStarts += 1 }
        }

        unlabelled += try await unlabelledContainers(trial: trial, excluding: Set(bystanders.ids))
        let touched = try await bystanders.touched()
        unownedTouched += touched.count
        problems += touched.map { "trial \(trial): bystander \($0)" }
        if !touched.isEmpty { ok = false }
        if !ok { notConverged += 1 }
        return ok
    }

    /// Waits until this owner's containers look the same three times in a row (at most 10 s).
    /// Requests the killed berth had already sent still complete on the engine (a stop, a
    /// removal): a person running apply after a crash sees their result, and so does the test.
    private func settle() async throws {
        var last = "", stable = 0
        for _ in 0..<40 where stable < 2 {
            let now = try await project.containers().map { "\($0.id) \($0.name) \($0.state)" }.joined(separator: ",")
            stable = now == last ? stable + 1 : 0
            last = now
            await Poll.pause(.milliseconds(250))
        }
    }

    /// Containers named like this owner's but missing berth's owner, name or replica label.
    private mutating func unlabelledContainers(trial: Int, excluding: Set<String>) async throws -> Int {
        let (_, list) = try await project.engine.call("GET", "/containers/json?all=1")
        let bad = (list?.arrayValue ?? []).map(Container.init).filter { container in
            guard container.name.hasPrefix(project.owner + "-"), !excluding.contains(container.id) else { return false }
            return container.labels["berth.owner"] != project.owner || container.labels["berth.name"] == nil
                || container.labels["berth.replica"] == nil
        }
        problems += bad.map { "trial \(trial): container \($0.name) lacks berth's labels" }
        return bad.count
    }

    /// The report line for this scenario.
    func report(scenario: String, trials: Int, faults: [String: Int], seed: UInt64) -> FaultsReport {
        FaultsReport(scenario: scenario, trials: trials, faults: faults, converged: notConverged == 0 && unlabelled == 0,
                     duplicates: duplicates, unownedTouched: unownedTouched, journalLinesLost: linesLost + unexplainedStarts, seed: seed)
    }

    var summary: String {
        "torn tails \(tornTails), lines lost \(linesLost), unfinished starts \(unfinishedStarts) (unexplained \(unexplainedStarts)), "
            + "duplicates \(duplicates), unlabelled \(unlabelled), bystanders touched \(unownedTouched), not converged \(notConverged)"
    }
}
