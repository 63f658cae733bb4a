import Foundation
import Testing

/// What a crash leaves behind, set up by hand: the states the crash trials found berth
/// stumbling over, each reproduced so the fix stays fixed.
@Suite(.timeLimit(.minutes(5)))
struct CrashLeftoverTests {
    /// Killed in the middle of a start-first replacement, with the spec changed again since:
    /// every replica has its old container and a `-next` one, neither with the current
    /// configuration. The plan deletes the `-next` duplicates while the replacement of the
    /// kept ones clears the same temporary names; the engine then answers one of the two
    /// removals with 409 "removal … is already in progress", which is "already gone", not a failure.
    @Test func interruptedReplacementsWithAnOutdatedNextContainerConvergeInOneApply() async throws {
        let engine = try TestEngine()
        try await Project.with(foreign: { _ in [] }) { p, _ in
            let replicas = 4
            for replica in 1...replicas {
                for (suffix, hash) in [("", "old-1"), ("-next", "old-2")] {
                    try await engine.createForeign(name: "\(p.owner)-s-\(replica)\(suffix)", labels: [
                        "berth.owner": p.owner, "berth.name": "s", "berth.replica": String(replica), "berth.config-hash": hash,
                    ])
                }
            }
            try p.write("s.json", p.spec("s", replicas: replicas, env: ["GEN": "3"]))
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let after = try await p.containers()
            #expect(after.map(\.name) == (1...replicas).map { "\(p.owner)-s-\($0)" })
            #expect(after.allSatisfy { $0.state == "running" })
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }
}
