import BerthHTTP
import BerthJournal
import BerthJSON
import Foundation
import Testing

/// `update` on a docker spec against the real engine: replicas replaced batch by batch, each
/// proven before the next, a broken version rolled back, and all the while a client asking
/// for the service by name through Docker's DNS sees no failed request.
@Suite(.timeLimit(.minutes(15)))
struct ContainerRolloutTests {
    static let good = #"{"cmd": ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"], "interval": "1s", "timeout": "10s", "retries": 2}"#
    /// The page it asks for is not there: the new version never turns healthy.
    static let broken = #"{"cmd": ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/missing"], "interval": "1s", "timeout": "10s", "retries": 2}"#

    /// (The image's busybox wget crashes with -T, so Docker's check timeout and `timeout` bound the requests.)
    /// An httpd answering with its version; berth puts it on the owner's network as `web`.
    static func web(_ network: String, version: String, replicas: Int, health: String, update: String) -> String {
        """
        {"name": "web", "image": "\(TestEngine.demoImage)", "replicas": \(replicas), "env": {"VERSION": "\(version)"},
         "command": ["sh", "-c", "mkdir -p /www && echo $VERSION > /www/index.html && exec httpd -f -p 8080 -h /www"],
         "health": \(health), "update": \(update),
         "docker": {"HostConfig": {"Init": true}}}
        """
    }

    static func records(_ p: Project) -> [JournalRecord] {
        (try? JournalReader.read(path: p.state + "/journal.jsonl").records) ?? []
    }

    /// Runs `body` with the owner's network (berth makes `OWNER-default` and gives each
    /// container its spec name there); the client goes first afterwards, whatever happened.
    static func withNetwork(_ p: Project, _ body: (String) async throws -> Void) async throws {
        func tidy() async { _ = try? await p.engine.call("DELETE", "/containers/\(p.owner)-client?force=true") }
        do { try await body(p.owner + "-default") } catch { await tidy(); throw error }
        await tidy()
    }

    /// A container on the network asking for http://web:8080/ by name every 200 ms (20 s a
    /// request: a loaded engine holds requests for seconds), printing ok or FAIL.
    static func startClient(_ p: Project, _ network: String) async throws -> String {
        let loop = "while true; do if timeout 20 wget -q -O /tmp/out http://web:8080/ 2>/tmp/err; then echo \"ok $(cat /tmp/out)\"; else echo \"FAIL $(cat /tmp/err)\"; fi; sleep 0.2; done"
        let body: JSONValue = .object([
            "Image": .string(TestEngine.demoImage), "Cmd": .array(["sh", "-c", loop].map { .string($0) }),
            "HostConfig": .object(["Init": .bool(true), "NetworkMode": .string(network)]),
        ])
        let (status, created) = try await p.engine.call("POST", "/containers/create?name=\(p.owner)-client", body: body)
        try #require(status == 201, "creating the client: \(status) \(created?.serialized() ?? "")")
        let id = created!["Id"]!.stringValue!
        _ = try await p.engine.call("POST", "/containers/\(id)/start")
        return id
    }

    /// The client's answers so far: ok lines with what they read, FAIL lines with why.
    static func answers(_ p: Project, _ client: String) async throws -> (ok: [String], failed: [String]) {
        let response = try await p.engine.http.send(HTTPRequest(method: "GET", path: "/v1.41/containers/\(client)/logs?stdout=1&stderr=1"))
        // The stream's 8-byte frame headers are binary: lines are found by their words.
        let text = String(decoding: response.body.map { $0 < 32 && $0 != 10 ? 32 : $0 }, as: UTF8.self)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        return (lines.filter { $0.hasPrefix("ok ") }, lines.filter { $0.hasPrefix("FAIL") })
    }

    /// The replicas by name, and each one's version, state and health.
    static func replicas(_ p: Project) async throws -> [String: (id: String, version: String, running: Bool, health: String)] {
        var out: [String: (String, String, Bool, String)] = [:]
        for container in try await p.containers() {
            let found = try await p.engine.inspect(container.id)
            let env = (found?["Config"]?["Env"]?.arrayValue ?? []).compactMap(\.stringValue)
            let version = env.first { $0.hasPrefix("VERSION=") }.map { String($0.dropFirst(8)) } ?? ""
            out[container.name] = (container.id, version, found?["State"]?["Running"]?.boolValue == true,
                                   found?["State"]?["Health"]?["Status"]?.stringValue ?? "")
        }
        return out
    }

    static func allHealthy(_ p: Project, _ count: Int, version: String) async throws -> Bool {
        let found = try await replicas(p)
        return found.count == count && (1...count).allSatisfy { found["\(p.owner)-web-\($0)"].map { $0.version == version && $0.running && $0.health == "healthy" } ?? false }
    }

    /// Every replica answers to `web` on the owner's network (its name came back after a
    /// rollback, and was given once proven).
    static func allNamed(_ p: Project, _ network: String) async throws -> Bool {
        for container in try await p.containers() where try await NetworkTests.attachments(p, container.id)[network]?.contains("web") != true {
            return false
        }
        return true
    }

    static func starts(_ p: Project) -> [JournalRecord] {
        records(p).filter { $0.event == "action-start" && $0.op == "replace" && $0.name == "web" }
    }

    @Test func aBrokenVersionIsRolledBackAndAGoodOneRollsThroughWithoutAFailedRequest() async throws {
        try await Project.with { p in
          try await Self.withNetwork(p) { network in
            let update = #"{"parallelism": 2, "order": "stop-first", "failureAction": "rollback"}"#
            try p.write("web.json", Self.web(network, version: "v1", replicas: 4, health: Self.good, update: update))
            let first = await p.berth("apply")
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(try await eventually { try await Self.allHealthy(p, 4, version: "v1") }, "4 healthy v1 replicas never came")
            let client = try await Self.startClient(p, network)
            #expect(try await eventually { try await Self.answers(p, client).ok.count >= 5 }, "the client never read the page")
            let before = try await Self.replicas(p)

            // The broken version: the first batch never turns healthy and is rolled back.
            try p.write("web.json", Self.web(network, version: "v2", replicas: 4, health: Self.broken, update: update))
            let broken = await p.berth("apply")
            #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
            let events = Self.records(p).map(\.event)
            #expect(events.contains("rollout-failed") && events.contains("rolled-back"), "\(events)")
            #expect(Set(Self.starts(p).compactMap(\.replica)) == [1, 2], "only the first batch was tried")
            #expect(try await eventually { try await Self.allHealthy(p, 4, version: "v1") }, "the replicas never all came back healthy")
            let after = try await Self.replicas(p)
            #expect(after.count == 4 && after.allSatisfy { before[$0.key]?.id == $0.value.id }, "the old containers came back: \(after.keys.sorted())")
            #expect(try await Self.allNamed(p, network), "a restored replica is not named web on \(network)")
            #expect(FileManager.default.fileExists(atPath: p.state + "/docker-rollouts.json"))
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("! blocked") && plan.stdout.contains("web"), "\(plan.stdout)")
            // Applied again, the blocked content is not tried again.
            let again = await p.berth("apply")
            #expect(again.status == 1)
            #expect(Self.starts(p).count == 2, "\(Self.starts(p).map(\.replica))")

            // A good version rolls through two by two.
            try p.write("web.json", Self.web(network, version: "v3", replicas: 4, health: Self.good, update: update))
            let good = await p.berth("apply")
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
            #expect(try await eventually { try await Self.allHealthy(p, 4, version: "v3") }, "the replicas never all came back healthy")
            let all = Self.records(p).filter { $0.name == "web" && $0.op == "replace" && ($0.event == "action-start" || $0.event == "action-ok") }.suffix(8)
            let lastOkOfFirstBatch = all.lastIndex { $0.event == "action-ok" && [1, 2].contains($0.replica) }
            let firstStartOfSecond = all.firstIndex { $0.event == "action-start" && [3, 4].contains($0.replica) }
            #expect(lastOkOfFirstBatch != nil && firstStartOfSecond != nil && lastOkOfFirstBatch! < firstStartOfSecond!,
                    "\(all.map { "\($0.event) \($0.replica ?? 0)" })")
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
            #expect(try await p.containers().allSatisfy { !$0.name.hasSuffix("-prev") && !$0.name.hasSuffix("-next") })
            #expect(try await Self.allNamed(p, network), "a new replica is not named web on \(network)")

            // The client never saw a failed request, and saw the new version.
            #expect(try await eventually { try await Self.answers(p, client).ok.contains { $0.hasSuffix("v3") } })
            let answers = try await Self.answers(p, client)
            #expect(answers.failed.isEmpty, "failed requests: \(answers.failed) of \(answers.ok.count + answers.failed.count)")
          }
        }
    }

    @Test func oneReplicaStartFirstKeepsServingUntilTheNewOneIsHealthy() async throws {
        try await Project.with { p in
          try await Self.withNetwork(p) { network in
            let update = #"{"order": "start-first", "failureAction": "rollback"}"#
            try p.write("web.json", Self.web(network, version: "v1", replicas: 1, health: Self.good, update: update))
            #expect(await p.berth("apply").status == 0)
            #expect(try await eventually { try await Self.allHealthy(p, 1, version: "v1") })
            let client = try await Self.startClient(p, network)
            #expect(try await eventually { try await Self.answers(p, client).ok.count >= 3 })
            let old = try #require(try await Self.replicas(p)["\(p.owner)-web-1"])

            try p.write("web.json", Self.web(network, version: "v2", replicas: 1, health: Self.broken, update: update))
            let broken = await p.berth("apply")
            #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
            let after = try await Self.replicas(p)
            #expect(after.count == 1 && after["\(p.owner)-web-1"]?.id == old.id && after["\(p.owner)-web-1"]?.running == true,
                    "the old container keeps serving, the new one is removed: \(after.keys.sorted())")

            try p.write("web.json", Self.web(network, version: "v3", replicas: 1, health: Self.good, update: update))
            let good = await p.berth("apply")
            #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
            #expect(try await eventually { try await Self.allHealthy(p, 1, version: "v3") })
            #expect(try await Self.replicas(p)["\(p.owner)-web-1"]?.id != old.id)
            #expect(try await eventually { try await Self.answers(p, client).ok.contains { $0.hasSuffix("v3") } })
            let answers = try await Self.answers(p, client)
            #expect(answers.failed.isEmpty, "failed requests: \(answers.failed) of \(answers.ok.count + answers.failed.count)")
          }
        }
    }

    @Test func pauseKeepsTheFailedBatchAndBlocksTheContent() async throws {
        try await Project.with { p in
          try await Self.withNetwork(p) { network in
            let update = #"{"parallelism": 1, "order": "stop-first", "failureAction": "pause", "monitor": "1s"}"#
            try p.write("web.json", Self.web(network, version: "v1", replicas: 3, health: Self.good, update: update))
            #expect(await p.berth("apply").status == 0)
            #expect(try await eventually { try await Self.allHealthy(p, 3, version: "v1") })
            try p.write("web.json", Self.web(network, version: "v2", replicas: 3, health: Self.broken, update: update))
            let paused = await p.berth("apply")
            #expect(paused.status == 1, "\(paused.stdout)\(paused.stderr)")
            let events = Self.records(p).map(\.event)
            #expect(events.contains("rollout-failed") && events.contains("rollout-paused") && !events.contains("rolled-back"), "\(events)")
            let found = try await Self.replicas(p)
            #expect(found.count == 3, "no -prev left: \(found.keys.sorted())")
            #expect(found["\(p.owner)-web-1"]?.version == "v2" && found["\(p.owner)-web-2"]?.version == "v1" && found["\(p.owner)-web-3"]?.version == "v1")
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("! blocked"), "\(plan.stdout)")
          }
        }
    }

    /// Watch neither retries a blocked content in a loop nor stops healing the old replicas.
    @Test func watchDoesNotLoopOnABlockedVersionAndStillHeals() async throws {
        try await Project.with { p in
          try await Self.withNetwork(p) { network in
            let update = #"{"parallelism": 1, "order": "stop-first"}"#
            try p.write("web.json", Self.web(network, version: "v1", replicas: 2, health: Self.good, update: update))
            #expect(await p.berth("apply").status == 0)
            #expect(try await eventually { try await Self.allHealthy(p, 2, version: "v1") })
            try p.write("web.json", Self.web(network, version: "v2", replicas: 2, health: Self.broken, update: update))
            let watch = try WatchProcess(p)
            defer { Task { _ = await watch.stop() } }
            #expect(await eventually { Self.records(p).contains { $0.event == "rolled-back" } }, "\(watch.log)")
            #expect(await eventually { Self.records(p).contains { $0.event == "blocked" && $0.name == "web" } }, "\(watch.log)")
            // A replica of the old version that dies is started again, on the old version.
            let victim = try #require(try await Self.replicas(p)["\(p.owner)-web-2"])
            try await p.engine.kill(victim.id)
            #expect(await eventually {
                Self.records(p).contains { $0.event == "action-ok" && $0.op == "start" && $0.replica == 2 }
            }, "\(watch.log)")
            #expect(try await eventually { try await Self.allHealthy(p, 2, version: "v1") }, "\(watch.log)")
            #expect(Self.records(p).filter { $0.event == "rollout-failed" }.count == 1, "\(watch.log)")
            #expect(Self.starts(p).count == 1)
            #expect(await watch.stop() == 0)
          }
        }
    }
}
