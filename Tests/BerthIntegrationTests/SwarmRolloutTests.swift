import BerthJSON
import Foundation
import Testing

/// Swarm as a user meets it (issue 19): new images roll out, Swarm's rollback and pause are
/// failures of that spec content and not fought, keys the engine drops stop after one update.
@Suite(.timeLimit(.minutes(10)))
struct SwarmRolloutTests {
    /// A service whose update fails at once when its command becomes `false`: Swarm watches
    /// each new task for 2 s and then rolls back or pauses, as `failureAction` says.
    /// Monitor 15 s: a failing task must be seen failing within the window also on a loaded
    /// machine (with 2 s, the full suite once saw the update complete before the task's exit).
    static func failingUpdateSpec(_ name: String, command: [String], failureAction: String) -> String {
        let args = command.map { "\"\($0)\"" }.joined(separator: ", ")
        return """
        {"name": "\(name)", "target": "swarm", "image": "\(TestEngine.demoImage)", "command": [\(args)], "replicas": 1,
         "update": {"parallelism": 1, "failureAction": "\(failureAction)"},
         "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}, "RestartPolicy": {"Condition": "none"}},
                   "UpdateConfig": {"Monitor": 15000000000}, "RollbackConfig": {"Monitor": 1000000000}}}
        """
    }

    static func updateState(_ p: Project, _ name: String) async throws -> String? {
        try await SwarmTests.service(p, name)?["UpdateStatus"]?["State"]?.stringValue
    }

    /// Updates berth sent for a service, from the journal's action-start records. (Not the
    /// service's version: Swarm bumps that itself while it records an update's progress.)
    static func updatesSent(_ p: Project, _ name: String) throws -> Int {
        try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"event\":\"action-start\"") && $0.contains("\"op\":\"update\"") && $0.contains("\"name\":\"\(name)\"") }.count
    }

    static func removeService(_ p: Project, _ name: String) { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-\(name)") } }

    /// Removes a service, waits (hang guard only) until Swarm has removed its task containers,
    /// then removes the images: done within the test, so nothing is left when the run ends.
    static func removeServiceAndImages(_ p: Project, _ name: String, images: [String]) async throws {
        _ = try await p.engine.call("DELETE", "/services/\(p.owner)-\(name)")
        _ = try await eventually { try await p.engine.containers(label: "com.docker.swarm.service.name=\(p.owner)-\(name)").isEmpty }
        for image in images { _ = try await p.engine.call("DELETE", "/images/\(image)?force=true") }
    }

    /// The content of `path` in every running task container of a service, read through the
    /// engine's archive endpoint (a one-file tar: header, then the bytes).
    static func served(_ p: Project, _ name: String, path: String) async throws -> [String] {
        let running = try await p.engine.containers(label: "com.docker.swarm.service.name=\(p.owner)-\(name)").filter { $0.state == "running" }
        var out: [String] = []
        for container in running {
            let response = try await p.engine.http.send(.init(method: "GET", path: "/v1.41/containers/\(container.id)/archive?path=\(path)"))
            guard response.status == 200, response.body.count > 512 else { continue }
            let sizeField = String(decoding: response.body[124..<135], as: UTF8.self)
            let size = Int(sizeField.trimmingCharacters(in: .whitespaces.union(.controlCharacters)), radix: 8) ?? 0
            out.append(String(decoding: response.body[512..<(512 + size)], as: UTF8.self))
        }
        return out
    }

    @Test func anAppFolderOnSwarmRollsOutAfterAnEdit() async throws {
        try await Project.with { p in
            defer { Self.removeService(p, "site") }
            try p.write("site/Dockerfile", "FROM \(TestEngine.demoImage)\nCOPY index.html /www/index.html\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\"]\n")
            try p.write("site/index.html", "one\n")
            try p.write("site/app.json", #"{"name": "site", "target": "swarm", "replicas": 2, "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}}"#)
            let first = await p.berth("apply", "--wait")
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(try await Self.served(p, "site", path: "/www/index.html") == ["one\n", "one\n"])
            let image = try await SwarmTests.service(p, "site")?["Spec"]?["TaskTemplate"]?["ContainerSpec"]?["Image"]?.stringValue
            #expect(image?.hasPrefix("sha256:") == true, "pinned by image ID: \(image ?? "none")")

            try p.write("site/index.html", "two\n")
            let second = await p.berth("apply", "--wait")
            #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
            #expect(try await eventually { try await Self.served(p, "site", path: "/www/index.html") == ["two\n", "two\n"] })
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
            let rebuilt = try await SwarmTests.service(p, "site")?["Spec"]?["TaskTemplate"]?["ContainerSpec"]?["Image"]?.stringValue
            try await Self.removeServiceAndImages(p, "site", images: [image, rebuilt].compactMap { $0 })
        }
    }

    @Test func anImageReimportedUnderTheSameTagRollsOut() async throws {
        try await Project.with { p in
            let ref = "\(p.owner)/reimported:1"
            defer { Self.removeService(p, "app"); Task { _ = try? await p.engine.call("DELETE", "/images/\(ref)?force=true") } }
            // Tag the demo image under the project's name, run it, then put another image under that tag.
            let (tagged, _) = try await p.engine.call("POST", "/images/\(TestEngine.demoImage)/tag?repo=\(p.owner)/reimported&tag=1")
            try #require(tagged == 201)
            try p.write("app.json", """
                {"name": "app", "target": "swarm", "image": "\(ref)", "command": ["sleep", "3600"], "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}}
                """)
            #expect(await p.berth("apply").status == 0)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
            try p.write("ctx/Dockerfile", "FROM \(TestEngine.demoImage)\nRUN echo v2 > /version\n")
            let build = try await p.engine.http.send(.init(method: "POST", path: "/v1.41/build?t=\(p.owner)/reimported:1", headers: [("Content-Type", "application/x-tar")],
                                                            body: try Self.tar(p.specs + "/ctx")))
            try #require(build.status == 200)
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("image \(ref) changed on the engine"), "\(plan.stdout)")
            #expect(await p.berth("apply", "--wait").status == 0)
            #expect(try await Self.served(p, "app", path: "/version") == ["v2\n"])
            try await Self.removeServiceAndImages(p, "app", images: [ref])
        }
    }

    static func tar(_ folder: String) throws -> [UInt8] {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("berth-ctx-\(UUID().uuidString).tar").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(ImageTests.run(["/bin/tar", "-C", folder, "-cf", out, "."]) == 0)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    @Test func anUpdateSwarmRollsBackIsReportedOnceAndNotSentAgain() async throws {
        try await Project.with { p in
            defer { Self.removeService(p, "job") }
            try p.write("job.json", Self.failingUpdateSpec("job", command: ["sleep", "3600"], failureAction: "rollback"))
            #expect(await p.berth("apply", "--wait").status == 0)
            try p.write("job.json", Self.failingUpdateSpec("job", command: ["false"], failureAction: "rollback"))
            let apply = await p.berth("apply", "--wait")
            #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("Swarm rolled the update back"), "\(apply.stderr)")
            #expect(try await eventually { try await Self.updateState(p, "job") == "rollback_completed" })

            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("! blocked swarm service job: Swarm rolled back the update to this spec content"), "\(plan.stdout)")
            #expect(!plan.stdout.contains("~ update"), "\(plan.stdout)")
            let again = await p.berth("apply")
            #expect(again.status == 1, "a blocked spec is a failed apply: \(again.stdout)")
            let status = await p.berth("status")
            #expect(status.stdout.contains("Swarm rolled back"), "\(status.stdout)")

            let before = try Self.updatesSent(p, "job")
            let watch = try WatchProcess(p, extra: ["--resync", "1s"])
            #expect(try await eventually { watch.log.contains("blocked: swarm service job") }, "\(watch.log)")
            // The negative is seen over passes, not over a fixed time: every full pass rewrites
            // status.json, so ten rewrites are ten passes that each had the chance to send an update.
            var passes: Set<String> = []
            #expect(await eventually {
                if let text = try? String(contentsOfFile: p.state + "/status.json", encoding: .utf8),
                   let time = text.split(separator: "\n").first(where: { $0.contains("\"time\"") }) { passes.insert(String(time)) }
                return passes.count >= 10
            }, "\(watch.log)")
            #expect(try Self.updatesSent(p, "job") == before, "no update sent: \(watch.log)")
            #expect(watch.count("blocked: swarm service job") == 1, "\(watch.log)")
            #expect(await watch.stop() == 0, "\(watch.log)")

            // A new spec content is tried again.
            try p.write("job.json", Self.failingUpdateSpec("job", command: ["sleep", "60"], failureAction: "rollback"))
            let fixed = await p.berth("apply", "--wait")
            #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        }
    }

    @Test func aPausedUpdateShowsInPlanAndStatus() async throws {
        try await Project.with { p in
            defer { Self.removeService(p, "job") }
            try p.write("job.json", Self.failingUpdateSpec("job", command: ["sleep", "3600"], failureAction: "pause"))
            #expect(await p.berth("apply", "--wait").status == 0)
            try p.write("job.json", Self.failingUpdateSpec("job", command: ["false"], failureAction: "pause"))
            let apply = await p.berth("apply", "--wait")
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("Swarm paused the update (paused)"), "\(apply.stderr)")
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("! blocked swarm service job: Swarm paused the update to this spec content"), "\(plan.stdout)")
            let status = await p.berth("status")
            #expect(status.stdout.contains("Swarm paused the update"), "\(status.stdout)")
        }
    }

    @Test func aKeyTheEngineDropsStopsAfterOneUpdate() async throws {
        try await Project.with { p in
            defer { Self.removeService(p, "mem") }
            try p.write("mem.json", SwarmTests.swarmSpec("mem", replicas: 1))
            #expect(await p.berth("apply").status == 0)
            try p.write("mem.json", SwarmTests.swarmSpec("mem", replicas: 1, extra: #", "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true, "Privileges": {"SELinuxContext": {"Bogus": true}}}}}"#)
                .replacingOccurrences(of: #", "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}"#, with: ""))
            let first = await p.berth("apply")
            #expect(first.status == 1)
            #expect(first.stderr.contains("the engine did not keep TaskTemplate.ContainerSpec.Privileges.SELinuxContext.Bogus"), "\(first.stderr)")
            let sent = try Self.updatesSent(p, "mem")
            let second = await p.berth("apply")
            #expect(second.stdout.contains("! blocked swarm service mem: the engine did not keep TaskTemplate.ContainerSpec.Privileges.SELinuxContext.Bogus"), "\(second.stdout)")
            #expect(!second.stdout.contains("~ update"), "\(second.stdout)")
            #expect(try Self.updatesSent(p, "mem") == sent, "no second update for the same spec content")
        }
    }
}
