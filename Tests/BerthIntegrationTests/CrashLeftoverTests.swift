import BerthJSON
import Foundation
import Testing

/// What a crash leaves behind, set up by hand: the states the crash trials found berth
/// stumbling over, each reproduced so the fix stays fixed.
@Suite(.timeLimit(.minutes(10)))
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

    /// Killed after the new container ran under its temporary name but before the old one
    /// was gone: the `-next` one is current and kept, the old one (slow to stop) is deleted,
    /// and the rename to the final name must not fail because the old one still holds it.
    @Test func interruptedReplacementWithACurrentNextContainerConvergesInOneApply() async throws {
        let engine = try TestEngine()
        try await Project.with(foreign: { _ in [] }) { p, _ in
            let replicas = 3
            try p.write("s.json", p.spec("s", replicas: replicas))
            #expect(await p.berth("apply").status == 0)
            for container in try await p.containers() {
                let name = container.name
                _ = try await engine.call("POST", "/containers/\(container.id)/rename?name=\(name)-next")
                // The old one: berth's labels, an older configuration, and `sleep` as PID 1 (no init),
                // which ignores SIGTERM, so its graceful stop takes the full 10 s.
                let body: JSONValue = .object([
                    "Image": .string(TestEngine.demoImage), "Cmd": .array([.string("sleep"), .string("3600")]),
                    "Labels": .object(container.labels.merging(["berth.config-hash": "old"]) { $1 }.mapValues { .string($0) }),
                    "HostConfig": .object(["Init": .bool(false)]),  // the test engine runs with --init
                ])
                let (status, created) = try await engine.call("POST", "/containers/create?name=\(name)", body: body)
                try #require(status == 201, "\(created?.serialized() ?? "")")
                _ = try await engine.call("POST", "/containers/\(created!["Id"]!.stringValue!)/start")
            }
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\n\(apply.stderr)")
            let after = try await p.containers()
            #expect(after.map(\.name) == (1...replicas).map { "\(p.owner)-s-\($0)" })
            #expect(after.allSatisfy { $0.state == "running" && $0.labels["berth.config-hash"] != "old" })
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }
}
