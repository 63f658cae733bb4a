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
}
