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
            #expect(await watch.stop() == 0, "\(watch.log)")
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
            #expect(await watch.stop() == 0, "\(watch.log)")
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
            #expect(await watch.stop() == 0, "\(watch.log)")
            // A spec never created says so.
            try p.write("later.json", p.spec("later"))
            let status = await p.berth("status")
            let line = status.stdout.split(separator: "\n").first { $0.contains("later") }
            #expect(line?.contains("missing") == true, "\(status.stdout)")
            #expect(line?.contains("0/1") == true)
        }
    }

    static func specNames(_ p: Project) async throws -> [String] {
        try await p.containers().compactMap { $0.labels["berth.name"] }.sorted()
    }

    @Test func aHeldDeletionWaitsUnderWatchUntilAPersonReleasesIt() async throws {
        try await Project.with { p in
            for name in ["a", "b", "c"] { try p.write("\(name).json", p.spec(name)) }
            let watch = try WatchProcess(p)
            defer { watch.kill() }
            #expect(try await eventually { try await Self.specNames(p) == ["a", "b", "c"] }, "\(watch.log)")
            try p.remove("a.json")
            try p.remove("b.json")
            #expect(await eventually { watch.log.contains("deletion of 2 removed specs held (a, b; 2 resources)") }, "\(watch.log)")
            // A new spec: 2 removed of 4 is no longer "more than half", but what is held stays held.
            // Its container proves a later full pass has run.
            try p.write("d.json", p.spec("d"))
            #expect(try await eventually { try await Self.specNames(p).contains("d") }, "\(watch.log)")
            #expect(try await Self.specNames(p) == ["a", "b", "c", "d"])
            #expect(watch.count("deletion of 2 removed specs held") == 1, "said once per change, not per pass:\n\(watch.log)")
            let release = await p.berth("release", "a")
            #expect(release.status == 0, "\(release.stderr)")
            #expect(release.stdout.contains("released a: the running watch (pid"), "\(release.stdout)")
            #expect(try await eventually { try await Self.specNames(p) == ["b", "c", "d"] }, "\(watch.log)")
            // Once a is gone, the watch's next full pass forgets its hold; b's stays.
            var status = ""
            #expect(await eventually {
                status = await p.berth("status").stdout
                return !status.contains("docker/a")
            }, "\(status)")
            #expect(status.contains("held: deletion of removed spec docker/b"), "\(status)")
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }

    @Test func applyNamedSpecsActsOnThoseOnly() async throws {
        try await Project.with { p in
            try p.write("a.json", p.spec("a", env: ["V": "1"]))
            try p.write("c.json", p.spec("c", env: ["V": "1"]))
            #expect(await p.berth("apply").status == 0)
            let before = Dictionary(try await p.containers().map { ($0.labels["berth.name"]!, $0.id) }, uniquingKeysWith: { a, _ in a })
            try p.write("a.json", p.spec("a", env: ["V": "2"]))
            try p.write("c.json", p.spec("c", env: ["V": "2"]))
            let typo = await p.berth("apply", "x")
            #expect(typo.status == 64)
            #expect(typo.stderr.contains("no spec or managed resource is named \"x\""), "\(typo.stderr)")
            let run = await p.berth("apply", "a")
            #expect(run.status == 0, "\(run.stderr)")
            let after = Dictionary(try await p.containers().map { ($0.labels["berth.name"]!, $0.id) }, uniquingKeysWith: { a, _ in a })
            #expect(after["a"] != before["a"])
            #expect(after["c"] == before["c"])
            let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            #expect(journal.contains(#""selection":"a""#))
            #expect(await p.berth("plan", "--detailed-exitcode").status == 2)
        }
    }

    @Test func applyEndSaysWhatTheExitCodeSays() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            try p.write("bad.json", #"{"name": "bad", "image": "x:1", "replicas": "two"}"#)
            let run = await p.berth("apply")
            #expect(run.status == 1)
            #expect(run.stdout.contains("Invalid: 1 file not planned (\(p.specs)/bad.json).\n"), "\(run.stdout)")
            #expect(run.stdout.hasSuffix("Not converged: 1 invalid file(s) not applied.\n"), "\(run.stdout)")
            #expect(!run.stdout.contains("everything matches"))
            let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            let end = journal.split(separator: "\n").last { $0.contains(#""event":"apply-end""#) }
            #expect(end?.contains(#""exit":"1""#) == true, "\(end ?? "")")
            #expect(end?.contains("1 invalid file(s) not applied") == true, "\(end ?? "")")
            #expect(end?.contains("converged") == false)
            try p.remove("bad.json")
            #expect(await p.berth("apply").status == 0)
            let after = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            #expect(after.split(separator: "\n").last { $0.contains(#""event":"apply-end""#) }?.contains(#""message":"converged""#) == true)
        }
    }
}
