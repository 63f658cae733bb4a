import BerthTestSupport
import Foundation
import Testing

/// What berth says, checked against what the engine shows: watch names changed fields,
/// status follows an engine outage and a crash loop, a missing engine is one clear line.
@Suite(.serialized) struct TruthTests {
    @Test func watchRecordsConfigurationsSoChangesNameTheirFields() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", env: ["MODE": "a"]))
            let watch = try WatchProcess(p)
            #expect(try await eventually { try await p.containers().count == 1 }, "\(watch.log)")
            // An edit while the watch runs: its log and history name the fields.
            try p.write("web.json", p.spec("web", env: ["MODE": "b", "API_TOKEN": "hunter2"]))
            #expect(await eventually { watch.log.contains("replace docker container web #1") && watch.log.contains(": ok") }, "\(watch.log)")
            #expect(await watch.stop() == 0)
            #expect(watch.log.contains(#"env.MODE: "a" -> "b""#), "\(watch.log)")
            #expect(watch.log.contains("env.API_TOKEN: (secret added)"), "\(watch.log)")
            #expect(!watch.log.contains("earlier configuration not recorded"))
            #expect(!watch.log.contains("hunter2"))
            let history = await p.berth("history", "--name", "web")
            #expect(history.stdout.contains(#"env.MODE: "a" -> "b""#), "\(history.stdout)")
            // An edit made while no watch runs: the next plan names the field, from what watch recorded.
            try p.write("web.json", p.spec("web", env: ["MODE": "c", "API_TOKEN": "hunter3"]))
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains(#"env.MODE: "b" -> "c""#), "\(plan.stdout)")
            #expect(plan.stdout.contains("env.API_TOKEN: (secret value changed)"), "\(plan.stdout)")
            #expect(!plan.stdout.contains("hunter"))
        }
    }

    @Test func statusFollowsAnEngineOutageThroughTheWatch() async throws {
        let proxy = try FaultProxy(upstream: try TestEngine().host, schedule: FaultSchedule(seed: 1, rules: []))
        try proxy.start()
        defer { proxy.stop() }
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            let watch = try WatchProcess(p, extra: ["--docker-host", proxy.url])
            defer { watch.kill() }
            #expect(try await eventually { try await p.containers().count == 1 }, "\(watch.log)")
            #expect(await eventually { await p.berth("status").stdout.contains("engine ok") })
            proxy.unplug()
            var seen = Project.Run(status: 0, stdout: "", stderr: "")
            #expect(await eventually {
                seen = await p.berth("status")
                return seen.stdout.contains("engine unreachable since")
            }, "\(seen.stdout)\n\(watch.log)")
            #expect(seen.status == 1)
            #expect(seen.stdout.contains("(from the running watch"))
            #expect(seen.stdout.contains("the socket does not exist"), "\(seen.stdout)")
            // What was seen before the outage is not shown as current.
            #expect(seen.stdout.contains("unknown"), "\(seen.stdout)")
            try proxy.plugIn()
            #expect(await eventually { await p.berth("status").stdout.contains("engine ok") }, "\(watch.log)")
            #expect(await eventually { watch.log.contains("engine is back") })
            #expect(await watch.stop() == 0)
        }
    }

    @Test func aMissingEngineIsOneClearLineWithoutRetries() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            try p.write("api.json", p.spec("api"))
            let missing = "unix:///tmp/berth-missing-\(UUID().uuidString.prefix(8)).sock"
            let run = await p.berth("apply", "--docker-host", missing)
            #expect(run.status == 1)
            #expect(!run.stderr.contains("retry:"), "\(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(run.stderr)")
            #expect(lines.first == "berth: cannot reach the Docker Engine at \(missing): the socket does not exist (is the engine running?)")
        }
    }

    @Test func statusShowsACrashLoopsExitCodeAndAMissingSpec() async throws {
        try await Project.with { p in
            try p.write("crash.json", """
                {"name": "crash", "image": "\(TestEngine.demoImage)", "command": ["sh", "-c", "exit 7"]}
                """)
            let watch = try WatchProcess(p)
            defer { watch.kill() }
            var seen = ""
            #expect(await eventually {
                seen = await p.berth("status").stdout
                return seen.contains("exited 7 at ")
            }, "\(seen)\n\(watch.log)")
            let json = await p.berth("status", "--json").stdout
            #expect(json.contains(#""lastExitCode":7"#), "\(json)")
            #expect(await watch.stop() == 0)
            // A spec never created says so.
            try p.write("later.json", p.spec("later"))
            let status = await p.berth("status")
            let line = status.stdout.split(separator: "\n").first { $0.contains("later") }
            #expect(line?.contains("missing") == true, "\(status.stdout)")
            #expect(line?.contains("0/1") == true)
        }
    }
}
