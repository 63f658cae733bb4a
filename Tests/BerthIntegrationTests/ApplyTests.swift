import BerthJSON
import Foundation
import Testing

/// `berth apply` and `berth plan` against the real engine `make test` starts.
@Suite(.timeLimit(.minutes(10)))
struct ApplyTests {
    @Test func applyCreatesLabelledContainersAndSecondPlanIsEmpty() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", replicas: 2, env: ["MODE": "a"]))

            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let found = try await p.containers()
            #expect(found.map(\.name) == ["\(p.owner)-web-1", "\(p.owner)-web-2"])
            #expect(found.allSatisfy { $0.state == "running" })
            for (index, container) in found.enumerated() {
                #expect(container.labels["berth.owner"] == p.owner)
                #expect(container.labels["berth.name"] == "web")
                #expect(container.labels["berth.replica"] == String(index + 1))
                #expect(container.labels["berth.config-hash"]?.count == 64)
                let inspected = try await p.engine.inspect(container.id)
                #expect(inspected?["Config"]?["Hostname"]?.stringValue == "web-\(index + 1)")
                #expect(inspected?["Config"]?["Env"]?.arrayValue?.contains(.string("MODE=a")) == true)
            }

            let plan = await p.berth("plan", "--detailed-exitcode")
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stdout.contains("No changes"))

            // With no watch running, status observes the engine itself.
            let status = await p.berth("status", "--json")
            let entry = try JSONParser.parse(status.stdout).value["entries"]?.arrayValue?.first
            #expect(entry?["name"]?.stringValue == "web", "\(status.stdout)\(status.stderr)")
            #expect(entry?["runningReplicas"] == .number("2") && entry?["desiredReplicas"] == .number("2"))
            #expect(entry?["configHashMatches"] == .bool(true))
        }
    }

    @Test func changedEnvReplacesOnlyThatSpecsReplicas() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", replicas: 2, env: ["MODE": "a", "API_TOKEN": "s3cret-one"]))
            try p.write("db.json", p.spec("db"))
            #expect(await p.berth("apply").status == 0)
            let before = Dictionary(uniqueKeysWithValues: try await p.containers().map { ($0.name, $0.id) })

            try p.write("web.json", p.spec("web", replicas: 2, env: ["MODE": "b", "API_TOKEN": "s3cret-two"]))
            let plan = await p.berth("plan", "--detailed-exitcode")
            #expect(plan.status == 2)
            #expect(plan.stdout.contains("env.MODE: \"a\" -> \"b\""), "\(plan.stdout)")
            #expect(plan.stdout.contains("env.API_TOKEN: (secret value changed)"))
            #expect(!plan.stdout.contains("s3cret"))

            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let after = Dictionary(uniqueKeysWithValues: try await p.containers().map { ($0.name, $0.id) })
            #expect(after.keys.sorted() == before.keys.sorted(), "replacement ends with the final names")
            #expect(after["\(p.owner)-db-1"] == before["\(p.owner)-db-1"])
            #expect(after["\(p.owner)-web-1"] != before["\(p.owner)-web-1"])
            #expect(after["\(p.owner)-web-2"] != before["\(p.owner)-web-2"])
            let env = try await p.engine.inspect(after["\(p.owner)-web-1"]!)?["Config"]?["Env"]?.arrayValue ?? []
            #expect(env.contains(.string("MODE=b")))

            let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            #expect(!journal.contains("s3cret"))
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }

    @Test func scalingDownRemovesTheHighestReplicas() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", replicas: 3))
            #expect(await p.berth("apply").status == 0)
            let before = try await p.containers()
            try p.write("web.json", p.spec("web", replicas: 1))
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            let after = try await p.containers()
            #expect(after.map(\.name) == ["\(p.owner)-web-1"])
            #expect(after.first?.id == before.first?.id, "the remaining replica is kept, not replaced")
        }
    }

    @Test func removedFilePrunesItsContainers() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", replicas: 2))
            try p.write("jobs/worker.json", p.spec("worker"))
            #expect(await p.berth("apply").status == 0)
            try p.remove("jobs/worker.json")
            let apply = await p.berth("apply")
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-web-1", "\(p.owner)-web-2"])
        }
    }

    @Test func emptiedFolderDeletesNothingWithoutBeingTold() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            #expect(await p.berth("apply").status == 0)
            try p.remove("web.json")
            let refused = await p.berth("apply")
            #expect(refused.status == 3, "held deletions are pending work: \(refused.stdout)")
            #expect(refused.stdout.contains("deletion of 1 removed spec held (web; 1 resource)"), "\(refused.stdout)")
            #expect(refused.stdout.contains("No changes to make now. Held: 1 deletion of removed spec web (see the note).\n"))
            #expect(refused.stdout.hasSuffix("Not converged: 1 deletion(s) held.\n"), "\(refused.stdout)")
            #expect(await p.berth("plan", "--detailed-exitcode").status == 2)
            #expect(try await p.containers().count == 1)
            // Still held on the next run: it waits for a person.
            #expect(await p.berth("apply").status == 3)
            let status = await p.berth("status")
            #expect(status.stdout.contains("held: deletion of removed spec docker/web (1 resource)"), "\(status.stdout)")
            let release = await p.berth("release", "web")
            #expect(release.status == 0, "\(release.stderr)")
            #expect(release.stdout.contains("released web"))
            #expect(await p.berth("apply").status == 0)
            #expect(try await p.containers().isEmpty)
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }

    @Test func killedContainerIsStartedAgain() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            #expect(await p.berth("apply").status == 0)
            let id = try #require(try await p.containers().first?.id)
            try await p.engine.kill(id)
            #expect(try await p.containers().first?.state == "exited")
            let plan = await p.berth("plan", "--json")
            let actions = try JSONParser.parse(plan.stdout).value["actions"]?.arrayValue ?? []
            #expect(actions.first?["op"]?.stringValue == "start")
            #expect(await p.berth("apply").status == 0)
            let after = try await p.containers()
            #expect(after.first?.id == id && after.first?.state == "running")
        }
    }
}
