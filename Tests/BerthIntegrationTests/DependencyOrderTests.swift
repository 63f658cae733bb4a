import BerthJSON
import Foundation
import Testing

/// `dependsOn` and `apply --wait` against the real engine: a dependent is created only once
/// its dependency's health check passes, and a check that never passes fails clearly.
@Suite(.timeLimit(.minutes(10)))
struct DependencyOrderTests {
    /// A container that turns healthy only after `delay` seconds (a file its check looks for).
    static func slowDB(_ p: Project, delay: Int) -> String {
        """
        {"name": "db", "image": "\(TestEngine.demoImage)", "command": ["sh", "-c", "sleep \(delay); touch /tmp/ready; exec sleep 3600"],
         "docker": {"HostConfig": {"Init": true}},
         "health": {"cmd": ["sh", "-c", "test -e /tmp/ready || { echo not ready yet; exit 1; }"], "interval": "1s", "timeout": "5s", "retries": 100}}
        """
    }

    @Test func aDependentIsCreatedAfterItsDependencyTurnsHealthy() async throws {
        try await Project.with { p in
            try p.write("db.json", Self.slowDB(p, delay: 4))
            try p.write("web.json", p.spec("web", extra: #", "dependsOn": ["db"]"#))
            let plan = await p.berth("plan")
            #expect(plan.stdout.contains("+ create docker container web #1: missing after db"), "\(plan.stdout)")
            #expect(plan.stdout.contains("note: dependency order: db, web"), "\(plan.stdout)")

            let applied = await p.berth("apply", "--wait", "--timeout", "200s")
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            let db = try #require(try await p.containers().first { $0.name == "\(p.owner)-db-1" })
            let web = try #require(try await p.containers().first { $0.name == "\(p.owner)-web-1" })
            let dbState = try #require(try await p.engine.inspect(db.id))
            let webState = try #require(try await p.engine.inspect(web.id))
            #expect(dbState["State"]?["Health"]?["Status"]?.stringValue == "healthy")
            // The first check that passed ended before web was created; db's own start was
            // seconds earlier (the checks before failed).
            // The engine keeps only the last 5 checks: where they still show the first pass
            // (a failing check before it), web was created after it.
            let log = dbState["State"]?["Health"]?["Log"]?.arrayValue ?? []
            let dbStarted = try #require(Self.instant(dbState["State"]?["StartedAt"]?.stringValue))
            let webCreated = try #require(Self.instant(webState["Created"]?.stringValue))
            if let first = log.firstIndex(where: { $0["ExitCode"]?.intValue == 0 }), first > 0 {
                let healthyAt = try #require(Self.instant(log[first]["End"]?.stringValue))
                #expect(webCreated > healthyAt, "web created at \(webCreated), db healthy at \(healthyAt)")
            }
            #expect(webCreated - dbStarted >= 3.5, "web created \(webCreated - dbStarted) s after db started")
            // The journal says the same: web's create started after db's ended.
            let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
            let dbDone = try #require(journal.firstIndex { $0.contains(#""event":"action-ok""#) && $0.contains(#""name":"db""#) })
            let webStart = try #require(journal.firstIndex { $0.contains(#""event":"action-start""#) && $0.contains(#""name":"web""#) })
            #expect(dbDone < webStart)
            #expect(applied.stdout.contains("ready: docker db: 1/1 replicas ready"), "\(applied.stdout)")
            #expect(applied.stdout.contains("waiting: create docker container web #1: until db is done and ready"), "\(applied.stdout)")
        }
    }

    /// Across targets: a container waits for a Swarm service whose task turns healthy late
    /// (swarmkit counts the task as running only once its check passes).
    @Test func aContainerWaitsForASwarmServiceToConverge() async throws {
        try await Project.with { p in
            let queue = #"{"name": "queue", "target": "swarm", "image": "\#(TestEngine.demoImage)", "command": ["sh", "-c", "sleep 4; touch /tmp/ready; exec sleep 3600"], "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}, "health": {"cmd": ["sh", "-c", "test -e /tmp/ready"], "interval": "1s", "timeout": "5s", "retries": 100}}"#
            try p.write("queue.json", queue)
            try p.write("web.json", p.spec("web", extra: #", "dependsOn": ["swarm/queue"]"#))
            do {
                let applied = await p.berth("apply")
                #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
                #expect(applied.stdout.contains("after swarm/queue"), "\(applied.stdout)")
                let task = try #require(try await p.engine.containers(label: "com.docker.swarm.service.name=\(p.owner)-queue").first)
                let taskState = try #require(try await p.engine.inspect(task.id))
                let log = taskState["State"]?["Health"]?["Log"]?.arrayValue ?? []
                #expect(taskState["State"]?["Health"]?["Status"]?.stringValue == "healthy", "\(log)")
                let web = try #require(try await p.containers().first { $0.name == "\(p.owner)-web-1" })
                let webCreated = try #require(Self.instant(try await p.engine.inspect(web.id)?["Created"]?.stringValue))
                let taskStarted = try #require(Self.instant(taskState["State"]?["StartedAt"]?.stringValue))
                #expect(webCreated - taskStarted >= 3.5, "web created \(webCreated - taskStarted) s after the task started")
                // The engine keeps only the last 5 checks: where they still show the first pass, web came after it.
                if let first = log.firstIndex(where: { $0["ExitCode"]?.intValue == 0 }), first > 0 {
                    let healthyAt = try #require(Self.instant(log[first]["End"]?.stringValue))
                    #expect(webCreated > healthyAt, "web created at \(webCreated), the task healthy at \(healthyAt)")
                }
            } catch {
                _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-queue")
                throw error
            }
            _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-queue")
            // Its task containers go with the service, before the project's own clean-up.
            _ = try await eventually { try await p.engine.containers(label: "com.docker.swarm.service.name=\(p.owner)-queue").isEmpty }
        }
    }

    @Test func applyWaitFailsClearlyOnAContainerThatNeverTurnsHealthy() async throws {
        try await Project.with { p in
            try p.write("sick.json", p.spec("sick", extra: #", "health": {"cmd": ["sh", "-c", "echo port 5432 refused; exit 1"], "interval": "1s", "timeout": "5s", "retries": 2}"#))
            let applied = await p.berth("apply", "--wait", "--timeout", "200s")
            #expect(applied.status == 1, "\(applied.stdout)\(applied.stderr)")
            #expect(applied.stderr.contains("berth: docker sick: container \(p.owner)-sick-1 is unhealthy; last check (exit 1): port 5432 refused"), "\(applied.stderr)")
            #expect(applied.stdout.contains("Not converged"), "\(applied.stdout)")
        }
    }

    /// A dependency that never turns healthy: its dependent is never created, and the
    /// output names the dependency and what its check printed last.
    @Test func aDependentOfASickDependencyIsNotCreated() async throws {
        try await Project.with { p in
            try p.write("db.json", p.spec("db", extra: #", "health": {"cmd": ["sh", "-c", "echo no database; exit 1"], "interval": "1s", "timeout": "5s", "retries": 2}"#))
            try p.write("web.json", p.spec("web", extra: #", "dependsOn": ["db"]"#))
            let applied = await p.berth("apply")
            #expect(applied.status == 1, "\(applied.stdout)\(applied.stderr)")
            #expect(applied.stderr.contains("create docker container web #1: not tried: dependency db did not become ready: docker/db will not become ready: container \(p.owner)-db-1 is unhealthy; last check (exit 1): no database"), "\(applied.stderr)")
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-db-1"])
            let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            #expect(journal.contains(#""event":"action-skipped""#), "\(journal)")
        }
    }

    /// Seconds since 1970 of an RFC 3339 time with up to nine fraction digits, as the engine writes them.
    static func instant(_ text: String?) -> Double? {
        guard let text, let t = text.firstIndex(of: "T") else { return nil }
        var rest = text[text.index(after: t)...]
        var zone = "Z"
        if rest.hasSuffix("Z") { rest = rest.dropLast() } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            zone = String(rest[sign...]); rest = rest[..<sign]
        }
        let parts = rest.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? Double("0." + parts[1]) ?? 0 : 0
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: String(text[..<t]) + "T" + String(parts[0]) + zone) else { return nil }
        return date.timeIntervalSince1970 + fraction
    }
}
