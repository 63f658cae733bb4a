import BerthJSON
import Foundation
import Testing

/// `berth suspend`/`resume` and `"prune": false` against a real engine.
@Suite(.timeLimit(.minutes(10)))
struct SuspendAndPruneTests {
    @Test func aSuspendedSpecIsLeftAloneUntilResumed() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a"))
            try p.write("b.json", p.spec("b"))
            #expect(await p.berth("apply").status == 0)
            let suspend = await p.berth("suspend", "a")
            #expect(suspend.stdout.contains("suspended a: berth leaves it alone from the next plan, apply or watch"), "\(suspend.stdout)\(suspend.stderr)")
            let typo = await p.berth("suspend", "b2")
            #expect(typo.stderr.contains("note: no spec in \(p.specs) is named b2 now; did you mean b?; it is suspended all the same"), "\(typo.stderr)")
            #expect(await p.berth("resume", "b2").stdout.contains("resumed b2"))
            let mode = try FileManager.default.attributesOfItem(atPath: p.state + "/suspended.json")[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let a = try #require(try await p.containers().first { $0.name == "\(p.owner)-a-1" })
            try await p.engine.kill(a.id)
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("note: suspended: a (1 resource left alone)"), "\(plan.stdout)")
            #expect(await p.berth("apply").status == 0)
            #expect(try await p.containers().first { $0.id == a.id }?.state == "exited", "not healed while suspended")
            #expect(await p.berth("status").stdout.contains("0/1 suspended"))

            // A watch's first pass plans every spec: once it made c, it has passed a by.
            try p.write("c.json", p.spec("c"))
            let watch = try WatchProcess(p, extra: ["--resync", "30m"])
            #expect(try await eventually { try await p.containers().contains { $0.name == "\(p.owner)-c-1" && $0.state == "running" } }, "\(watch.log)")
            #expect(try await p.containers().first { $0.id == a.id }?.state == "exited", "\(watch.log)")

            // Its file removed while suspended: nothing is deleted.
            try p.remove("a.json")
            try p.write("d.json", p.spec("d"))
            #expect(try await eventually { try await p.containers().contains { $0.name == "\(p.owner)-d-1" && $0.state == "running" } }, "\(watch.log)")
            #expect(try await p.containers().contains { $0.id == a.id }, "\(watch.log)")

            // Its file back and resumed: the running watch hears of it (SIGHUP) and heals it.
            try p.write("a.json", p.spec("a"))
            let resume = await p.berth("resume", "a")
            #expect(resume.stdout.contains("resumed a: the running watch"), "\(resume.stdout)\(resume.stderr)")
            #expect(try await eventually { try await p.containers().first { $0.id == a.id }?.state == "running" }, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func pruneFalseLeavesTheContainerRunningAndReleased() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", extra: #", "prune": false"#))
            try p.write("api.json", p.spec("api"))
            #expect(await p.berth("apply").status == 0)
            let web = try #require(try await p.containers().first { $0.name == "\(p.owner)-web-1" })
            #expect(web.labels["berth.prune"] == "false")

            try p.remove("web.json")
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("! release docker container web #1 (prune: false)"), "\(plan.stdout)")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stderr)")
            let released = try #require(try await p.containers().first { $0.id == web.id })
            #expect(released.name == "\(p.owner)-web-1-released" && released.state == "running")
            #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))
            let history = await p.berth("history", "--json", "--name", "web")
            #expect(history.stdout.contains("\"op\":\"release\""), "\(history.stdout)")

            // Never touched again: killed, it stays dead; a spec of the same name gets a new container.
            try await p.engine.kill(web.id)
            try p.write("web.json", p.spec("web"))
            #expect(await p.berth("apply").status == 0)
            let now = try await p.containers()
            #expect(now.first { $0.id == web.id }?.state == "exited")
            #expect(now.first { $0.name == "\(p.owner)-web-1" }.map { $0.id != web.id && $0.state == "running" } == true)
        }
    }

    @Test func pruneFalseReleasesASwarmService() async throws {
        try await Project.with { p in
            do { try await releasedService(p) } catch {
                _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-web")
                throw error
            }
            _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-web")
        }
    }

    func releasedService(_ p: Project) async throws {
        try p.write("web.json", SwarmTests.swarmSpec("web", replicas: 1, extra: #", "prune": false"#))
        try p.write("api.json", p.spec("api"))
        let apply = await p.berth("apply")
        #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
        let made = try #require(try await SwarmTests.service(p, "web"))
        let id = try #require(made["ID"]?.stringValue)
        #expect(made["Spec"]?["Labels"]?["berth.prune"]?.stringValue == "false")

        try p.remove("web.json")
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("! release swarm service web (prune: false)"), "\(plan.stdout)")
        #expect(await p.berth("apply").status == 0)
        let released = try #require(try await SwarmTests.service(p, "web"))
        #expect(released["ID"]?.stringValue == id, "the same service, kept")
        let labels = released["Spec"]?["Labels"]?.objectValue ?? [:]
        #expect(!labels.keys.contains { $0.hasPrefix("berth.") }, "\(labels)")
        #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))
    }
}
