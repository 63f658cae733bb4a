import BerthJSON
import Foundation
import Testing

/// Drift beyond the config hash on a real engine: what `docker update` changed is restored in
/// place, a tag moved to another image replaces, and `"state": "stopped"` is kept.
@Suite(.timeLimit(.minutes(10)))
struct IntentDriftTests {
    static let limited = """
        {"name": "web", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "restart": "always",
         "docker": {"HostConfig": {"Init": true, "Memory": 33554432, "PidsLimit": 64}}}
        """

    @Test func resourcesChangedByHandAreRestoredInPlace() async throws {
        try await Project.with { p in
            try p.write("web.json", Self.limited)
            #expect(await p.berth("apply").status == 0)
            let before = try #require(try await p.containers().first)
            let started = try await p.engine.inspect(before.id)?["State"]?["StartedAt"]?.stringValue
            // `docker update --memory 64m --memory-swap 128m --pids-limit 50 --restart no`, through the Engine API.
            let (status, _) = try await p.engine.call("POST", "/containers/\(before.id)/update", body: .object([
                "Memory": .number("67108864"), "MemorySwap": .number("134217728"), "PidsLimit": .number("50"),
                "RestartPolicy": .object(["Name": .string("no")]),
            ]))
            #expect(status == 200)

            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("~ update docker container web #1: memory changed on the engine: 67108864, spec 33554432; pids limit changed on the engine: 50, spec 64; restart policy changed on the engine: no, spec always"), "\(plan.stdout)")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stderr)")

            let after = try #require(try await p.engine.inspect(before.id))
            #expect(after["HostConfig"]?["Memory"]?.intValue == 33554432)
            #expect(after["HostConfig"]?["PidsLimit"]?.intValue == 64)
            #expect(after["HostConfig"]?["RestartPolicy"]?["Name"]?.stringValue == "always")
            #expect(after["State"]?["StartedAt"]?.stringValue == started, "updated in place, not restarted")
            #expect(after["State"]?["Running"] == .bool(true))
            #expect(try await p.containers().map(\.id) == [before.id], "the same container")
            #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))

            let history = await p.berth("history", "--json", "--name", "web")
            let ops = (try JSONParser.parse(history.stdout).value.arrayValue ?? []).compactMap { $0["op"]?.stringValue }
            #expect(ops.contains("update"), "\(history.stdout)")

            // Under watch (its first pass or the engine's update event; no resync within the test): in place too.
            let watch = try WatchProcess(p, extra: ["--resync", "30m"])
            #expect(try await eventually { await p.berth("status").stdout.contains("1/1") }, "\(watch.log)")
            _ = try await p.engine.call("POST", "/containers/\(before.id)/update", body: .object(["PidsLimit": .number("50")]))
            #expect(try await eventually { try await p.engine.inspect(before.id)?["HostConfig"]?["PidsLimit"]?.intValue == 64 }, "\(watch.log)")
            #expect(try await p.engine.inspect(before.id)?["State"]?["StartedAt"]?.stringValue == started)
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func aTagMovedToAnotherImageIsReplaced() async throws {
        try await Project.with { p in
            let repo = "berth-it/\(p.owner)"
            do { try await retagged(p, repo) } catch { await Self.dropImage(p, repo); throw error }
            await Self.dropImage(p, repo)
        }
    }

    /// The project's containers go first, then the committed image under the test's tag.
    static func dropImage(_ p: Project, _ repo: String) async {
        await p.engine.cleanUp(owner: p.owner)
        _ = try? await p.engine.call("DELETE", "/images/\(repo):1?force=true")
    }

    func retagged(_ p: Project, _ repo: String) async throws {
        #expect(try await p.engine.call("POST", "/images/\(TestEngine.demoImage)/tag?repo=\(repo)&tag=1").0 == 201)
        try p.write("app.json", """
            {"name": "app", "image": {"ref": "\(repo):1", "pull": "never"}, "command": ["sleep", "3600"], "docker": {"HostConfig": {"Init": true}}}
            """)
        #expect(await p.berth("apply").status == 0)
        let before = try #require(try await p.containers().first)
        #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))

        // `docker commit` of the running container under the same tag: another image ID.
        let (status, _) = try await p.engine.call("POST", "/commit?container=\(before.id)&repo=\(repo)&tag=1")
        #expect(status == 201)
        let plan = await p.berth("plan")
        #expect(plan.stdout.contains("~ replace docker container app #1: image changed [start-first]"), "\(plan.stdout)")
        #expect(await p.berth("apply").status == 0)
        let after = try #require(try await p.containers().first)
        #expect(after.id != before.id)
        let image = try await p.engine.call("GET", "/images/\(repo):1/json").1?["Id"]?.stringValue
        #expect(try await p.engine.inspect(after.id)?["Image"]?.stringValue == image)
        #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))
    }

    @Test func stoppedBySpecStaysStopped() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", extra: #", "state": "stopped""#))
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stderr)")
            let made = try #require(try await p.containers().first)
            #expect(made.state == "created", "made, never started")
            let status = await p.berth("status")
            #expect(status.stdout.contains("0/1 stopped (by spec)"), "\(status.stdout)")
            // A resync leaves it as it is.
            #expect(await p.berth("plan").stdout.contains("No changes: everything matches the specs."))

            // Started by hand: berth stops it again, the same container.
            #expect(try await p.engine.call("POST", "/containers/\(made.id)/start").0 == 204)
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains(#"~ stop docker container web #1: running, spec says "state": "stopped""#), "\(plan.stdout)")
            #expect(await p.berth("apply").status == 0)
            let after = try #require(try await p.containers().first)
            #expect(after.id == made.id && after.state == "exited")
            #expect(await p.berth("apply").stdout.contains("No changes"))
            #expect(try await p.containers().first?.state == "exited")

            // A watch's first pass plans every spec: once it made the marker, it has passed web by.
            try p.write("marker.json", p.spec("marker"))
            let watch = try WatchProcess(p, extra: ["--resync", "30m"])
            #expect(try await eventually { try await p.containers().contains { $0.name == "\(p.owner)-marker-1" && $0.state == "running" } }, "\(watch.log)")
            #expect(try await p.containers().first { $0.id == made.id }?.state == "exited", "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }
}
