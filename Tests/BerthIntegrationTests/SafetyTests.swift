import BerthJSON
import Foundation
import Testing

/// berth touches only what it owns, and bad input loses nothing.
@Suite(.timeLimit(.minutes(10)))
struct SafetyTests {
    @Test func lookAlikeContainersAreNeverTouched() async throws {
        let engine = try TestEngine()
        try await Project.with(foreign: { p in
            // Same name pattern and berth.* labels, but no owner label, or another owner's.
            let noOwner = try await engine.createForeign(name: "\(p.owner)-web-7", labels: ["berth.name": "web", "berth.replica": "7"])
            let otherOwner = try await engine.createForeign(
                name: "\(p.owner)-x-web-1", labels: ["berth.owner": "\(p.owner)-x", "berth.name": "web", "berth.replica": "1"])
            return [noOwner, otherOwner]
        }) { p, foreign in
            let (noOwner, otherOwner) = (foreign[0], foreign[1])

            try p.write("web.json", p.spec("web", replicas: 2))
            #expect(await p.berth("apply").status == 0)
            try p.write("web.json", p.spec("web", replicas: 1))
            try p.write("db.json", p.spec("db"))
            try p.write("cache.json", p.spec("cache"))
            #expect(await p.berth("apply").status == 0)
            try p.remove("cache.json")
            #expect(await p.berth("apply").status == 0)

            for id in [noOwner, otherOwner] {
                let inspected = try await engine.inspect(id)
                #expect(inspected?["State"]?["Running"] == .bool(true), "foreign container \(id) must still run")
            }
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-db-1", "\(p.owner)-web-1"])
        }
    }

    @Test func invalidFileDeletesNothingAndValidFilesStillApply() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            try p.write("db.json", p.spec("db"))
            #expect(await p.berth("apply").status == 0)
            let before = try await p.containers()

            try p.write("web.json", "{\"name\": \"web\",\n \"image\": 5}")
            try p.write("api.json", p.spec("api"))
            let apply = await p.berth("apply")
            #expect(apply.status == 1)
            #expect(apply.stderr.contains("web.json:2:11: $.image: expected \"repo:tag\" or an object with \"ref\" and \"pull\", \"import\" or \"build\", got number"), "\(apply.stderr)")
            let after = try await p.containers()
            #expect(after.map(\.name) == ["\(p.owner)-api-1", "\(p.owner)-db-1", "\(p.owner)-web-1"])
            let web = after.first { $0.name == "\(p.owner)-web-1" }
            #expect(web?.id == before.first { $0.name == "\(p.owner)-web-1" }?.id)

            let validate = await p.berth("validate")
            #expect(validate.status == 1)
            let json = await p.berth("plan", "--json")
            let errors = try JSONParser.parse(json.stdout).value["errors"]?.arrayValue ?? []
            #expect(errors.first?["line"] == .number("2") && errors.first?["column"] == .number("11"))
            #expect(errors.first?["path"]?.stringValue == "$.image")
        }
    }

    @Test func unreachableEngineIsOneClearLine() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            let console = await p.berth("plan", "--docker-host", "unix:///tmp/berth-no-such-engine.sock")
            #expect(console.status == 1)
            let lines = console.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(console.stderr)")
            #expect(lines.first?.contains("unix:///tmp/berth-no-such-engine.sock") == true)
        }
    }

    @Test func journalRecordsWhatWasDoneAndHistoryReadsIt() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", env: ["DB_PASSWORD": "hunter2"]))
            #expect(await p.berth("apply").status == 0)
            let history = await p.berth("history", "--json", "--name", "web")
            let records = try JSONParser.parse(history.stdout).value.arrayValue ?? []
            #expect(records.map { $0["event"]?.stringValue } == ["action-start", "action-ok"])
            #expect(records.last?["op"]?.stringValue == "create")
            let text = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            #expect(!text.contains("hunter2"))
            let seqs = text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).value["seq"]?.intValue }
            #expect(seqs == Array(1...seqs.count))
        }
    }
}
