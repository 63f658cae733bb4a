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
}
