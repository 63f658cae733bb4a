import BerthTestSupport
import Foundation
import Testing

/// SIGKILL at random moments: `berth apply` on many specs, and `berth watch` under a burst
/// of spec edits. After every kill the journal must read, a fresh apply must converge with
/// no doubled replica, nothing unlabelled made, and the bystanders untouched.
/// `make faults` runs at least 50 trials; `make test` a few. The seed is printed.
@Suite(.timeLimit(.minutes(60)))
struct CrashTrialTests {
    static var applyTrials: Int { FaultsReport.isFullRun ? 24 : 3 }
    static var watchTrials: Int { FaultsReport.isFullRun ? 26 : 2 }

    /// The desired state a trial writes: per spec its replicas and a generation in its env.
    struct Specs {
        var replicas: [String: Int]
        var generation: [String: Int]

        init(count: Int) {
            let names = (1...count).map { "s\($0)" }
            replicas = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0 % 3 == 0 ? 2 : 1) })
            generation = Dictionary(uniqueKeysWithValues: names.map { ($0, 0) })
        }

        /// No network: dozens of trial containers beside other tests' must not use up the bridge's /24.
        func text(_ project: Project, _ name: String) -> String {
            """
            {"name": "\(name)", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "replicas": \(replicas[name]!),
             "env": {"GEN": "\(generation[name]!)", "API_TOKEN": "t0ps3cret"},
             "docker": {"HostConfig": {"Init": true, "NetworkMode": "none"}}}
            """
        }

        func writeAll(_ project: Project) throws {
            for name in replicas.keys { try project.write(name + ".json", text(project, name)) }
        }
    }

    @Test func applyKilledAtRandomMomentsConverges() async throws {
        let engine = try TestEngine()
        let bystanders = try await BystanderPool.shared.acquire(engine)
        let project = try Project(engine: engine, owner: BystanderPool.shared.owners[0])
        do { try await applyTrials(project, bystanders) } catch { await project.finish(); await BystanderPool.shared.release(); throw error }
        await project.finish()
        await BystanderPool.shared.release()
    }

    func applyTrials(_ project: Project, _ bystanders: Bystanders) async throws {
        let seed = SeededRandom.fromEnvironment("crash: apply")
        var random = SeededRandom(seed: seed)
        var specs = Specs(count: FaultsReport.isFullRun ? 30 : 10)
        try specs.writeAll(project)

        // One uninterrupted apply from empty sets the range the kills are spread over.
        let started = Date()
        let first = try BerthChild(project, ["apply"])
        let firstStatus = await first.wait()
        let duration = Date().timeIntervalSince(started)
        try #require(firstStatus == 0, "\(first.log)")
        print("crash: apply: an uninterrupted apply of \(specs.replicas.count) specs took \(String(format: "%.1f", duration)) s")

        var check = CrashCheck(project: project)
        _ = try check.readJournalAfterKill(trial: 0)
        // How long each kind of apply runs, so kills land inside it: starts from the measured
        // apply and shrinks to what an apply that finished before its kill really took.
        var spans = ["replace": duration * 1.5, "scale": duration, "empty": duration]
        var kills = 0, trial = 0
        // A trial whose apply finished before the kill is not a crash: run another, up to three times as many.
        while kills < Self.applyTrials && trial < 3 * Self.applyTrials {
            trial += 1
            let kind: String
            switch trial % 3 {
            case 1:
                kind = "replace"
                for name in specs.replicas.keys where Bool.random(using: &random) { specs.generation[name]! += 1 }
                // At least one replacement, or there may be nothing to interrupt.
                specs.generation[specs.replicas.keys.sorted()[0]]! += 1
            case 2:
                kind = "scale"
                for name in specs.replicas.keys.sorted() {
                    let now = specs.replicas[name]!
                    specs.replicas[name] = now >= 2 ? Int.random(in: 0...1, using: &random) : Int.random(in: 0...3, using: &random)
                }
                // At least one spec scales, or there may be nothing to interrupt.
                let first = specs.replicas.keys.sorted()[0]
                specs.replicas[first] = specs.replicas[first]! >= 2 ? 0 : 3
            default:
                kind = "empty"
                try await project.removeAllContainers()
                specs = Specs(count: specs.replicas.count)
                for name in specs.replicas.keys { specs.generation[name] = trial }
            }
            try specs.writeAll(project)
            // Within the first 70% of the last apply's length: applies speed up as a loaded
            // machine quietens, and one that ends before its kill proves nothing.
            let delay = Double.random(in: 0.02...max(0.05, spans[kind]! * 0.7), using: &random)
            let child = try BerthChild(project, ["apply"])
            let started = Date()
            while child.process.isRunning && Date().timeIntervalSince(started) < delay { await Poll.pause() }
            let killed = child.kill()
            if killed { kills += 1 } else { spans[kind] = Date().timeIntervalSince(started) * 0.9 }
            try #require(await child.wait() != nil, "berth apply did not exit after SIGKILL")
            let unfinished = try check.readJournalAfterKill(trial: trial)
            let ok = try await check.converge(trial: trial, desired: specs.replicas, unfinished: unfinished, bystanders: bystanders)
            _ = try check.readJournalAfterKill(trial: trial)
            print("crash: apply trial \(trial) (\(kind)): \(killed ? "killed after \(Int(delay * 1000)) ms" : "finished before its kill"), "
                + "\(unfinished.count) actions cut short, \(ok ? "converged" : "NOT converged")")
        }
        let trials = trial
        print("crash: apply: \(trials) trials, \(kills) killed mid-apply; \(check.summary)")
        check.report(scenario: "crash: apply", trials: trials, faults: ["sigkill": kills], seed: seed).record()
        #expect(kills >= Self.applyTrials, "only \(kills) of \(trials) applies were still running at their kill")
        #expect(check.problems.isEmpty, "\(check.problems.joined(separator: "\n"))")
    }

    @Test func watchKilledDuringABurstOfEditsConverges() async throws {
        let engine = try TestEngine()
        let bystanders = try await BystanderPool.shared.acquire(engine)
        let project = try Project(engine: engine, owner: BystanderPool.shared.owners[1])
        do { try await watchTrials(project, bystanders) } catch { await project.finish(); await BystanderPool.shared.release(); throw error }
        await project.finish()
        await BystanderPool.shared.release()
    }

    func watchTrials(_ project: Project, _ bystanders: Bystanders) async throws {
        let seed = SeededRandom.fromEnvironment("crash: watch")
        var random = SeededRandom(seed: seed)
        var specs = Specs(count: 8)
        try specs.writeAll(project)
        var check = CrashCheck(project: project)
        var kills = 0, edits = 0
        for trial in 1...Self.watchTrials {
            // A new watch after a SIGKILL: the kernel released the state lock with the process.
            let watch = try BerthChild(project, ["watch", "--debounce", "50ms"])
            defer { watch.kill() }
            let expected = specs.replicas.values.reduce(0, +)
            let settled = try await eventually { try await project.containers().filter { $0.state == "running" }.count == expected }
            try #require(watch.process.isRunning, "a new watch must start after the last one was killed: \(watch.log)")
            try #require(settled, "watch did not converge before the burst: \(watch.log)")

            let count = Int.random(in: 5...20, using: &random)
            let killAt = Double.random(in: 0...(Double(count) * 0.05 + 1.5), using: &random)
            var plan: [(String, Int, Int, Bool, UInt64)] = []
            for _ in 0..<count {
                let name = "s\(Int.random(in: 1...10, using: &random))"
                plan.append((name, Int.random(in: 0...3, using: &random), Int.random(in: 0...100, using: &random),
                             Bool.random(using: &random), random.next()))
            }
            let burstStart = Date()
            let killer = Task {
                try? await ScenarioTime.pass(.milliseconds(Int(killAt * 1000)))
                return watch.kill()
            }
            for (name, replicas, pause, inPlace, _) in plan {
                // s9 and s10 come and go (added, removed); s1...s8 change replicas and env.
                if name == "s9" || name == "s10", specs.replicas[name] != nil, replicas == 0 {
                    specs.replicas[name] = nil
                    specs.generation[name] = nil
                    try? project.remove(name + ".json")
                } else {
                    specs.replicas[name] = replicas
                    specs.generation[name, default: 0] += 1
                    let text = specs.text(project, name)
                    if inPlace {
                        let path = project.specs + "/" + name + ".json"
                        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
                        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                        try handle.truncate(atOffset: 0)
                        try handle.write(contentsOf: Data(text.utf8))
                        try handle.close()
                    } else {
                        try project.write(name + ".json", text)
                    }
                }
                edits += 1
                try await ScenarioTime.pass(.milliseconds(pause))
            }
            let burst = Date().timeIntervalSince(burstStart)
            let killed = await killer.value
            if killed { kills += 1 } else { watch.kill() }
            try #require(await watch.wait() != nil, "berth watch did not exit after SIGKILL")
            let unfinished = try check.readJournalAfterKill(trial: trial)
            let ok = try await check.converge(trial: trial, desired: specs.replicas, unfinished: unfinished, bystanders: bystanders)
            _ = try check.readJournalAfterKill(trial: trial)
            print("crash: watch trial \(trial): \(count) edits, killed at \(Int(killAt * 1000)) ms"
                + " (burst \(Int(burst * 1000)) ms)\(killed ? "" : ", had already exited"), \(unfinished.count) actions cut short, \(ok ? "converged" : "NOT converged")")
        }
        print("crash: watch: \(Self.watchTrials) trials, \(kills) kills during bursts, \(edits) edits; \(check.summary)")
        check.report(scenario: "crash: watch", trials: Self.watchTrials, faults: ["sigkill": Self.watchTrials, "spec-edit": edits],
                     seed: seed).record()
        #expect(check.problems.isEmpty, "\(check.problems.joined(separator: "\n"))")
    }
}
