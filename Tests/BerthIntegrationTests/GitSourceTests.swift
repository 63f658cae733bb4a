import BerthCommands
import BerthJournal
import Foundation
import Glibc
import Testing

/// `--git`: a real repository (file:// and git daemon) as the source of specs, against the real engine.
@Suite(.timeLimit(.minutes(8)))
struct GitSourceTests {
    static func running(_ p: Project) async throws -> [String] {
        try await p.containers().filter { $0.state == "running" }.map(\.name).sorted()
    }

    static func records(_ p: Project) -> [JournalRecord] {
        (try? JournalReader.read(path: p.state + "/journal.jsonl").records) ?? []
    }

    /// berth in process with `--git` (and no --specs).
    static func berth(_ p: Project, _ args: [String]) async -> Project.Run {
        let console = Console.capturing()
        let argv = ["--state", p.state, "--owner", p.owner, "--docker-host", p.engine.host] + args
        let status = await BerthCLI.run(argv, environment: ProcessInfo.processInfo.environment, console: console)
        return Project.Run(status: status, stdout: console.stdout, stderr: console.stderr)
    }

    static func withRemote(_ body: (Project, GitRemote) async throws -> Void) async throws {
        try await Project.with { p in
            let remote = try GitRemote(root: p.root.path + "/git-remote")
            defer { remote.remove() }
            try await body(p, remote)
        }
    }

    @Test func commitsConvergeInvalidOnesAreRefusedForcePushesAndALostRemoteAreHandled() async throws {
        try await Self.withRemote { p, remote in
            let first = try remote.commit("web", ["deploy/web.json": p.spec("web")])
            let url = try remote.serve()
            #expect(try await eventually { remote.daemonAnswers() })
            let watch = try WatchProcess(arguments: ["watch", "--git", url, "--path", "deploy", "--interval", "1s", "--state", p.state,
                                                     "--owner", p.owner, "--docker-host", p.engine.host])
            #expect(try await eventually { try await Self.running(p) == ["\(p.owner)-web-1"] }, "\(watch.log)")
            #expect(Self.records(p).contains { $0.event == "action-ok" && $0.revision?.hash == first }, "\(watch.log)")

            // A new commit converges.
            let second = try remote.commit("api too", ["deploy/api.json": p.spec("api")])
            #expect(try await eventually { try await Self.running(p) == ["\(p.owner)-api-1", "\(p.owner)-web-1"] }, "\(watch.log)")

            // An invalid spec: the whole revision is refused, with its hash; nothing changes.
            let before = try await p.containers().map(\.id).sorted()
            let bad = try remote.commit("broken", ["deploy/api.json": #"{"name": "api", "replicas": "many"}"#, "deploy/db.json": p.spec("db")])
            #expect(try await eventually {
                Self.records(p).contains { $0.event == "revision-rejected" && $0.detail?["hash"] == bad && $0.error?.contains("deploy/api.json") == true }
            }, "\(watch.log)")
            #expect(watch.log.contains(String(bad.prefix(12))), "\(watch.log)")
            let status = await Self.berth(p, ["status", "--json"])
            #expect(status.stdout.contains(bad) && status.stdout.contains(second), "\(status.stdout + status.stderr)")
            #expect(try await p.containers().map(\.id).sorted() == before)

            // A force push back to the first commit converges back (api goes).
            try remote.forcePush(first)
            #expect(try await eventually { try await Self.running(p) == ["\(p.owner)-web-1"] }, "\(watch.log)")
            #expect(try await eventually {
                Self.records(p).contains { $0.event == "action-ok" && $0.op == "delete" && $0.revision?.hash == first }
            }, "\(watch.log)")

            // history --revision: only that commit's records.
            let history = await Self.berth(p, ["history", "--revision", String(second.prefix(8)), "--json", "--limit", "1000"])
            let shown = try JSONDecoder().decode([JournalRecord].self, from: Data(history.stdout.utf8))
            #expect(!shown.isEmpty && shown.allSatisfy { $0.revision?.hash == second }, "\(history.stdout + history.stderr)")
            #expect(await Self.berth(p, ["history", "--limit", "5"]).stdout.contains("@" + first.prefix(12)))

            // The remote goes away: the revision in force stays, said once, and status says since when.
            remote.remove()
            #expect(try await eventually { Self.records(p).contains { $0.event == "source-error" } }, "\(watch.log)")
            let text = await Self.berth(p, ["status"])
            #expect(text.stdout.contains("source error since") && text.stdout.contains("in force: " + first.prefix(12)), "\(text.stdout)")
            #expect(try await Self.running(p) == ["\(p.owner)-web-1"])
            #expect(await watch.stop() == 0)
            #expect(Self.records(p).filter { $0.event == "source-error" }.count == 1, "\(watch.log)")
        }
    }

    @Test func planAndApplyTakeOnePassFromAFileRemote() async throws {
        try await Self.withRemote { p, remote in
            let hash = try remote.commit("web", ["specs/web.json": p.spec("web")])
            let plan = await Self.berth(p, ["plan", "--git", remote.fileURL, "--path", "specs"])
            #expect(plan.status == 0 && plan.stdout.contains("create") && plan.stderr.contains(String(hash.prefix(12))), "\(plan.stdout + plan.stderr)")
            #expect(try await p.containers().isEmpty)
            let apply = await Self.berth(p, ["apply", "--git", remote.fileURL, "--path", "specs"])
            #expect(apply.status == 0, "\(apply.stdout + apply.stderr)")
            #expect(try await Self.running(p) == ["\(p.owner)-web-1"])
            #expect(Self.records(p).filter { $0.event == "action-ok" }.allSatisfy { $0.revision?.hash == hash })

            // An invalid head: apply changes nothing and names the commit.
            let bad = try remote.commit("broken", ["specs/web.json": #"{"name": "web""#])
            let refused = await Self.berth(p, ["apply", "--git", remote.fileURL, "--path", "specs"])
            #expect(refused.status == 1 && refused.stderr.contains(String(bad.prefix(12))), "\(refused.stderr)")
            #expect(await Self.berth(p, ["apply", "--git", remote.fileURL, "--specs", p.specs]).status == ExitCode.usage)
        }
    }

    @Test func aURLWithATokenNeverShowsIt() async throws {
        try await Project.with { p in
            let url = "https://ann:s3cret-token@127.0.0.1:1/deploy.git"
            let apply = await Self.berth(p, ["apply", "--git", url])
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("https://ann:***@127.0.0.1:1/deploy.git"), "\(apply.stderr)")
            let status = await Self.berth(p, ["status", "--json"])
            let journal = (try? String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)) ?? ""
            let files = ((try? FileManager.default.subpathsOfDirectory(atPath: p.state)) ?? [])
                .compactMap { try? String(contentsOfFile: p.state + "/" + $0, encoding: .utf8) }.joined()
            for text in [apply.stdout, apply.stderr, status.stdout, status.stderr, journal, files] {
                #expect(!text.contains("s3cret"), "\(text)")
            }
            #expect(journal.contains("source-error"))
        }
    }
}

