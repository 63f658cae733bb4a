import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `berth watch` and Swarm updates through the fault proxy. `make faults` runs the long version.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FaultWatchTests {
    static let full = FaultsReport.isFullRun

    func startedAt(_ bench: FaultBench, _ name: String) async throws -> String? {
        guard let c = try await bench.project.containers().first(where: { $0.name == name }) else { return nil }
        return try await bench.project.engine.inspect(c.id)?["State"]?["StartedAt"]?.stringValue
    }

    @Test func watchHealsAcrossCutEventStreamsAnd503sAndConvergesOnceFaultsStop() async throws {
        let trials = Self.full ? 6 : 1
        // In the background: some 503s on everything, event streams cut after a few events or seconds.
        let background = [FaultRule(.http503, probability: 0.1), FaultRule(.cutEvents, probability: 0.5)]
        try await FaultBench.with(FaultSchedule(rules: background, cutAfterEvents: 5, cutAfterSeconds: 4)) { bench in
            let p = bench.project
            var replicas = ["a": 2, "b": 1]
            try p.write("a.json", p.spec("a", replicas: 2))
            try p.write("b.json", p.spec("b"))
            let watch = try WatchProcess(p, extra: ["--docker-host", bench.proxy.url, "--resync", "10m"])
            defer { watch.kill() }
            #expect(try await eventually { try await bench.isConverged(replicas) }, "\(watch.log)")
            for trial in 1...trials {
                // The stream goes down and reconnects are refused, so the death below is never announced.
                let seen = bench.proxy.entries.count
                bench.proxy.setRules([FaultRule(.http503, path: "/events")] + background)
                bench.proxy.cutEventStreams()
                #expect(try await eventually {
                    bench.proxy.entries.dropFirst(seen).contains { $0.fault == .http503 && $0.path.contains("/events") }
                }, "\(bench.proxy.entries.suffix(10))")
                let victim = "\(p.owner)-a-\(1 + trial % 2)"
                let before = try await startedAt(bench, victim)
                let id = try #require(try await p.containers().first { $0.name == victim }?.id)
                try await p.engine.kill(id)
                bench.proxy.setRules(background)
                // Healed by the reconcile every reconnect makes (the resync is 10 minutes away).
                #expect(try await eventually {
                    guard try await p.containers().first(where: { $0.name == victim })?.state == "running" else { return false }
                    let started = try await startedAt(bench, victim)
                    return started != before
                }, "\(watch.log)")
                // A spec change is followed under the same faults.
                replicas["b"] = 1 + trial % 3
                try p.write("b.json", p.spec("b", replicas: replicas["b"]!, env: ["TRIAL": "\(trial)"]))
                #expect(try await eventually { try await bench.isConverged(replicas) }, "\(watch.log)")
            }
            bench.proxy.faultsOn = false
            let converged = try await eventually { try await bench.isConverged(replicas) }
            #expect(converged, "\(watch.log)")
            #expect(watch.log.contains("engine event stream lost"), "\(watch.log)")
            #expect(bench.proxy.count(.cutEvents) >= trials)
            #expect(await watch.stop() == 0, "\(watch.log)")
            let report = try await bench.report("watch-cut-events-and-503", trials: trials, converged: converged)
            #expect(report.duplicates == 0)
            #expect(report.unownedTouched == 0)
            #expect(report.journalLinesLost == 0)
        }
    }

    @Test func aStaleServiceVersionIsReadAgainAndTheUpdateRetried() async throws {
        try await FaultBench.with(FaultSchedule(seed: 14, rules: []), unmanaged: 2) { bench in
            let p = bench.project
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-api") } }
            try p.write("api.json", SwarmTests.swarmSpec("api", replicas: 1, env: ["MODE": "a"]))
            let created = await bench.berth("apply")
            #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
            // Once: the update goes out with the version before the current one, as if
            // somebody else had changed the service since berth read it.
            bench.proxy.setRules([FaultRule(.staleVersion, limit: 1)])
            try p.write("api.json", SwarmTests.swarmSpec("api", replicas: 1, env: ["MODE": "b"]))
            let updated = await bench.berth("apply")
            #expect(updated.status == 0, "\(updated.stdout)\(updated.stderr)")
            #expect(bench.proxy.count(.staleVersion) == 1)
            let updates = bench.proxy.entries.filter { $0.method == "POST" && $0.path.contains("/update?version=") }
            #expect(updates.count == 2, "\(updates)")
            let service = try await SwarmTests.service(p, "api")
            #expect(service?["Spec"]?["TaskTemplate"]?["ContainerSpec"]?["Env"]?.arrayValue?.contains(.string("MODE=b")) == true)
            // The adapter read the version again itself: one attempt as the executor counts them.
            let records = try bench.journal().records.filter { $0.name == "api" && $0.op == "update" }
            #expect(records.map(\.event) == ["action-start", "action-ok"], "\(records)")
            let plan = await bench.berth("plan", "--detailed-exitcode")
            #expect(plan.status == 0, "\(plan.stdout)")
            try await bench.report("swarm-update-out-of-sequence", trials: 1, converged: plan.status == 0)
        }
    }
}
