import BerthJSON
import Foundation
import Testing

/// The portable `health` field against the real engine: the check runs in the container, the
/// engine judges it, and `status` shows what the engine says.
@Suite(.timeLimit(.minutes(10)))
struct HealthTests {
    @Test func passingAndFailingChecksEndHealthyAndUnhealthy() async throws {
        try await Project.with { p in
            try p.write("ok.json", p.spec("ok", extra: #", "health": {"cmd": ["true"], "interval": "1s", "timeout": "5s", "retries": 1}"#))
            try p.write("bad.json", p.spec("bad", extra: #", "health": {"cmd": ["false"], "interval": "1s", "timeout": "5s", "retries": 1}"#))
            let applied = await p.berth("apply")
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")

            func health(_ name: String) async throws -> String? {
                guard let container = try await p.containers().first(where: { $0.name == "\(p.owner)-\(name)-1" }) else { return nil }
                return try await p.engine.inspect(container.id)?["State"]?["Health"]?["Status"]?.stringValue
            }
            #expect(try await eventually { try await health("ok") == "healthy" }, "the engine never judged ok healthy")
            #expect(try await eventually { try await health("bad") == "unhealthy" }, "the engine never judged bad unhealthy")
            let ok = try #require(try await p.containers().first { $0.name == "\(p.owner)-ok-1" })
            let config = try await p.engine.inspect(ok.id)?["Config"]?["Healthcheck"]
            #expect(config?["Test"] == .array(["CMD", "true"].map(JSONValue.string)))
            #expect(config?["Interval"]?.intValue == 1_000_000_000)

            let status = await p.berth("status")
            let lines = status.stdout.split(separator: "\n")
            #expect(lines.contains { $0.contains(" ok ") && $0.contains("1/1 healthy") }, "\(status.stdout)")
            #expect(lines.contains { $0.contains(" bad ") && $0.contains("1/1 unhealthy") }, "\(status.stdout)")
            let json = await p.berth("status", "--json")
            let entries = JSONValue(answer: Array(json.stdout.utf8))?["entries"]?.arrayValue ?? []
            #expect(entries.first { $0["name"]?.stringValue == "ok" }?["health"]?.stringValue == "healthy", "\(json.stdout)")
            #expect(entries.first { $0["name"]?.stringValue == "bad" }?["health"]?.stringValue == "unhealthy", "\(json.stdout)")
            // An unhealthy container is reported, not replaced: the plan stays empty.
            #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        }
    }

    /// On Swarm the task's container runs the check; what the engine holds is what berth sent,
    /// so the service is not seen as drifted.
    @Test func aSwarmServiceRunsTheCheckWithoutDrift() async throws {
        try await Project.with { p in
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-sw") } }
            try p.write("sw.json", SwarmTests.swarmSpec("sw", replicas: 1, extra: #", "health": {"cmd": ["true"], "interval": "1s", "retries": 2}"#))
            let applied = await p.berth("apply")
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            let service = try await SwarmTests.service(p, "sw")
            let check = service?["Spec"]?["TaskTemplate"]?["ContainerSpec"]?["Healthcheck"]
            #expect(check?["Test"] == .array(["CMD", "true"].map(JSONValue.string)), "\(service?.serialized() ?? "no service")")
            #expect(check?["Interval"]?.intValue == 1_000_000_000 && check?["Retries"]?.intValue == 2)
            let plan = await p.berth("plan", "--detailed-exitcode")
            #expect(plan.status == 0, "\(plan.stdout)")
            let healthy = try await eventually {
                for task in try await p.engine.containers(label: "com.docker.swarm.service.name=\(p.owner)-sw") {
                    if try await p.engine.inspect(task.id)?["State"]?["Health"]?["Status"]?.stringValue == "healthy" { return true }
                }
                return false
            }
            #expect(healthy, "no task container of the service became healthy")
        }
    }
}
