import Foundation
import Testing

/// What validation cannot know and the engine refuses with a 4xx (a bind source missing on
/// the engine's host) fails once under `apply`, is not retried, and names the spec's file and
/// line with the engine's words (issue 12).
@Suite(.timeLimit(.minutes(10)))
struct EngineRefusalTests {
    @Test func aRefusedCreateFailsOnceWithTheSpecsFileAndLine() async throws {
        try await Project.with { p in
            let missing = "/nonexistent-\(p.owner)"
            try p.write("a.json", "\n" + p.spec("web", extra: "").replacingOccurrences(
                of: #""docker": {"HostConfig": {"Init": true}}"#,
                with: #""docker": {"HostConfig": {"Init": true, "Mounts": [{"Type": "bind", "Source": "\#(missing)", "Target": "/data"}]}}"#))
            let validate = await p.berth("validate")
            #expect(validate.status == 0, "validation cannot know the engine's host: \(validate.stdout)\(validate.stderr)")
            let apply = await p.berth("apply")
            #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("\(p.specs)/a.json:2:1: the engine refused it (HTTP 400, not retried): "), "\(apply.stderr)")
            #expect(apply.stderr.contains("bind source path does not exist: \(missing)"), "\(apply.stderr)")
            #expect(!apply.stderr.contains("retry:"), "a 4xx is not retried: \(apply.stderr)")
            let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            let starts = journal.split(separator: "\n").filter { $0.contains(#""event":"action-start""#) && $0.contains(#""name":"web""#) }
            #expect(starts.count == 1, "one attempt: \(starts)")
            #expect(try await p.containers().isEmpty)
        }
    }

    /// Under `watch` the refused spec is tried once, held as refused (status says so) while
    /// other specs' changes and a resync come and go, and tried again when it is edited.
    @Test func watchHoldsARefusalUntilTheSpecChanges() async throws {
        try await Project.with { p in
            let missing = "/nonexistent-\(p.owner)"
            let good = p.spec("web")
            let refused = good.replacingOccurrences(
                of: #""docker": {"HostConfig": {"Init": true}}"#,
                with: #""docker": {"HostConfig": {"Init": true, "Mounts": [{"Type": "bind", "Source": "\#(missing)", "Target": "/data"}]}}"#)
            try p.write("web.json", refused)
            try p.write("other.json", p.spec("other"))
            let watch = try WatchProcess(p, extra: ["--resync", "2s"])
            do {
                #expect(try await eventually { watch.count("the engine refused it; not tried again until the spec changes") == 1 }, "\(watch.log)")
                // The pass that logged the refusal writes its status when it ends.
                var status = ""
                #expect(await eventually {
                    status = await p.berth("status").stdout
                    return status.contains("refused, held until the spec changes")
                }, "\(status)")
                // Another spec's edit passes (a full pass, which enqueues the refused spec again):
                // once the edit is running, the refused spec has been through it unsent.
                try p.write("other.json", p.spec("other", env: ["MODE": "new"]))
                #expect(try await eventually {
                    guard let other = try await p.containers().first(where: { $0.name == "\(p.owner)-other-1" }), other.state == "running" else { return false }
                    return try await p.engine.inspect(other.id)?["Config"]?["Env"]?.arrayValue?.contains(.string("MODE=new")) == true
                }, "\(watch.log)")
                #expect(watch.count("bind source path does not exist") == 1, "one attempt only: \(watch.log)")
                // The edit is tried at once.
                try p.write("web.json", good)
                #expect(try await eventually { try await WatchTests.running(p).contains("\(p.owner)-web-1") }, "\(watch.log)")
            } catch {
                _ = await watch.stop()
                throw error
            }
            #expect(await watch.stop() == 0, "\(watch.log)")
        }
    }
}
