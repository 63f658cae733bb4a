import BerthJournal
import BerthTestSupport
import Foundation
import Testing

/// `berth apply` through a fault-injecting proxy: while faults last it may fail, clearly;
/// once they stop, one more apply converges, with no duplicate and no unmanaged container touched.
/// `make faults` runs the long version (BERTH_FAULTS=1).
@Suite(.serialized, .timeLimit(.minutes(10)))
struct FaultApplyTests {
    static let full = FaultsReport.isFullRun

    @Test func applyUnderMixedFaultsConvergesOnceTheyStop() async throws {
        let count = Self.full ? 30 : 10, trials = Self.full ? 6 : 2
        try await FaultBench.with(.mixed(fraction: 0.2, stallSeconds: 30), unmanaged: Self.full ? 100 : 10) { bench in
            let p = bench.project
            var replicas: [String: Int] = [:]
            for i in 1...count {
                replicas["s\(i)"] = i % 4 == 0 ? 2 : 1
                try p.write("s\(i).json", p.spec("s\(i)", replicas: replicas["s\(i)"]!))
            }
            for trial in 1...trials {
                // From the second trial on, some specs change: replacements and scaling under faults too.
                if trial > 1 {
                    for i in stride(from: trial, through: count, by: 3) {
                        replicas["s\(i)"] = 1 + (i + trial) % 2
                        try p.write("s\(i).json", p.spec("s\(i)", replicas: replicas["s\(i)"]!, env: ["TRIAL": "\(trial)"]))
                    }
                }
                let run = await bench.berth("apply")
                #expect(run.status == 0 || !run.stderr.isEmpty)
                #expect(FaultBench.unclearErrors(run.stderr).isEmpty, "unclear errors: \(FaultBench.unclearErrors(run.stderr))")
            }
            bench.proxy.faultsOn = false
            let final = await bench.berth("apply")
            #expect(final.status == 0, "\(final.stdout)\n\(final.stderr)")
            let converged = try await bench.isConverged(replicas)
            let seen = try await p.containers().map { "\($0.name) \($0.state)" }
            #expect(converged, "\(seen)")
            let report = try await bench.report("apply-mixed-faults", trials: trials, converged: converged)
            #expect(report.duplicates == 0)
            let touched = try await bench.unmanagedTouched()
            #expect(report.unownedTouched == 0, "\(touched)")
            #expect(report.journalLinesLost == 0)
            #expect(!bench.proxy.counts.isEmpty, "the schedule (seed \(bench.proxy.seed)) injected nothing")
        }
    }

    @Test func aCreateWhoseAnswerIsLostIsAdoptedNotDuplicated() async throws {
        let count = Self.full ? 20 : 4
        try await FaultBench.with(FaultSchedule(seed: 11, rules: [])) { bench in
            let p = bench.project
            // Each spec's first create goes through, and its answer is lost.
            bench.proxy.setRules((1...count).map {
                FaultRule(.dropResponse, method: "POST", path: "/containers/create?name=\(p.owner)-s\($0)-1", limit: 1)
            })
            for i in 1...count { try p.write("s\(i).json", p.spec("s\(i)")) }
            let run = await bench.berth("apply")
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(bench.proxy.count(.dropResponse) == count)
            let converged = try await bench.isConverged(Dictionary(uniqueKeysWithValues: (1...count).map { ("s\($0)", 1) }))
            #expect(converged)
            // The journal says what happened: the first attempt lost its answer, the second adopted it.
            let records = try bench.journal().records
            for i in 1...count {
                let mine = records.filter { $0.name == "s\(i)" }
                let retry = mine.first { $0.event == "action-retry" }
                #expect(retry?.error?.contains("creating container \(p.owner)-s\(i)-1") == true, "\(mine)")
                #expect(mine.contains { $0.event == "action-ok" && ($0.attempt ?? 0) >= 2 && $0.message?.contains("adopted") == true }, "\(mine)")
            }
            let report = try await bench.report("apply-create-answer-lost", trials: 1, converged: converged)
            #expect(report.duplicates == 0 && report.unownedTouched == 0 && report.journalLinesLost == 0)
        }
    }

    @Test func aRenameWhoseAnswerIsLostFinishesTheReplacement() async throws {
        let drop = FaultRule(.dropResponse, method: "POST", path: "/rename", limit: 1)
        try await FaultBench.with(FaultSchedule(seed: 12, rules: [])) { bench in
            let p = bench.project
            try p.write("web.json", p.spec("web"))
            #expect(await bench.berth("apply").status == 0)
            bench.proxy.setRules([drop])
            try p.write("web.json", p.spec("web", env: ["MODE": "new"]))
            let run = await bench.berth("apply")
            #expect(bench.proxy.count(.dropResponse) == 1)
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            // Right after this apply, not after another one: one container, the new one, under its name.
            #expect(try await bench.duplicates() == 0)
            let converged = try await bench.isConverged(["web": 1])
            let names = try await p.containers().map(\.name)
            #expect(converged, "\(names)")
            try await bench.report("replace-rename-answer-lost", trials: 1, converged: converged)
        }
    }

    @Test func retriesBackOffAndTheJournalRecordsEachFailureOnce() async throws {
        let failures = 3
        let refuse = FaultRule(.http503, method: "POST", path: "/containers/create", limit: failures)
        try await FaultBench.with(FaultSchedule(seed: 13, rules: [refuse])) { bench in
            let p = bench.project
            try p.write("web.json", p.spec("web"))
            let run = await bench.berth("apply")
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.contains("(after \(failures + 1) attempts)"), "\(run.stdout)")
            // The engine saw the attempts with growing gaps: 1 s base, doubling, jitter in [0.5, 1).
            let times = bench.proxy.entries.filter { $0.method == "POST" && $0.path.contains("/containers/create") }.map(\.time)
            try #require(times.count == failures + 1, "\(bench.proxy.entries)")
            let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
            #expect(gaps.allSatisfy { $0 >= 0.45 }, "\(gaps)")
            #expect(gaps.last! > gaps.first!, "\(gaps)")
            // Each failed attempt once, with its cause; then the success.
            let records = try bench.journal().records.filter { $0.name == "web" }
            let retries = records.filter { $0.event == "action-retry" }
            #expect(retries.map(\.attempt) == (1...failures).map { $0 }, "\(records)")
            #expect(retries.allSatisfy { ($0.error ?? "").contains("engine answered 503: fault proxy: injected 503") })
            #expect(records.filter { $0.event == "action-ok" }.map(\.attempt) == [failures + 1])
            let converged = try await bench.isConverged(["web": 1])
            #expect(converged)
            try await bench.report("apply-retry-backoff", trials: 1, converged: converged)
        }
    }

    @Test func aRefusedListingIsRetriedNotTheEndOfTheApply() async throws {
        let refuse = FaultRule(.http503, method: "GET", path: "/containers/json", limit: 2)
        try await FaultBench.with(FaultSchedule(seed: 15, rules: [refuse])) { bench in
            let p = bench.project
            try p.write("web.json", p.spec("web"))
            let run = await bench.berth("apply")
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(bench.proxy.count(.http503) == 2)
            #expect(run.stderr.contains("retry: observing docker: attempt 2 failed, retrying in"), "\(run.stderr)")
            #expect(run.stderr.contains("listing containers of owner \(p.owner): engine answered 503"), "\(run.stderr)")
            // Each refused listing once in the journal, with what the engine said.
            let retries = try bench.journal().records.filter { $0.event == "observe-retry" }
            #expect(retries.count == 2, "\(retries)")
            #expect(retries.allSatisfy { ($0.error ?? "").contains("engine answered 503: fault proxy") }, "\(retries)")
            let converged = try await bench.isConverged(["web": 1])
            #expect(converged)
            try await bench.report("apply-listing-refused", trials: 1, converged: converged)
        }
    }

    /// After a replacement that could not remove the old container, the next apply deletes
    /// that outdated duplicate and renames the new one in parallel: the rename must not lose
    /// the race to the delete (here the delete is held up by a stall).
    @Test func aRenameWaitsForTheOutdatedDuplicateHoldingTheName() async throws {
        try await FaultBench.with(FaultSchedule(seed: 16, rules: [])) { bench in
            let p = bench.project
            try p.write("web.json", p.spec("web"))
            #expect(await bench.berth("apply").status == 0)
            let old = try #require(try await p.containers().first?.id)
            // The old container's removal fails every time: the new one stays as web-1-next.
            bench.proxy.setRules([FaultRule(.http500, method: "DELETE", path: "/containers/", limit: 4)])
            try p.write("web.json", p.spec("web", env: ["MODE": "new"]))
            #expect(await bench.berth("apply").status == 1)
            let left = try await p.containers().map(\.name)
            try #require(left == ["\(p.owner)-web-1", "\(p.owner)-web-1-next"], "\(left)")
            // Faults off but for one stall on the old container's removal.
            bench.proxy.setRules([FaultRule(.stall, method: "DELETE", path: "/containers/\(old)", limit: 1)])
            let run = await bench.berth("apply")
            #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(await bench.berth("apply").status == 0)
            let converged = try await bench.isConverged(["web": 1])
            #expect(converged)
            try await bench.report("replace-duplicate-holds-name", trials: 1, converged: converged)
        }
    }
}
