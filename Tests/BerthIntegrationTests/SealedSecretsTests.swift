import BerthSeal
import Foundation
import Testing

/// Against a real engine: a value sealed with `berth seal` reaches the container's
/// environment and nothing else (outputs, watch's log, the journal, any file under state/);
/// sealing it again replaces nothing; a value sealed for another key is refused by name and
/// fingerprint, and nothing is deleted.
@Suite(.timeLimit(.minutes(10)))
struct SealedSecretsTests {
    static func envSpec(_ sealed: String) -> String {
        """
        {"name": "web", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "docker": {"HostConfig": {"Init": true}},
         "env": {"MODE": "a", "WELCOME": {"sealed": "\(sealed)"}}}
        """
    }

    static func environment(_ p: Project) async throws -> [String] {
        guard let container = try await p.containers().first else { return [] }
        return try await p.engine.inspect(container.id)?["Config"]?["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// Every file under state/, as text (the engine's own folder is not berth's state).
    static func stateFiles(_ p: Project) -> [(String, String)] {
        let walker = FileManager.default.enumerator(atPath: p.state)
        var out: [(String, String)] = []
        while let relative = walker?.nextObject() as? String {
            let path = p.state + "/" + relative
            if let data = FileManager.default.contents(atPath: path) { out.append((relative, String(decoding: data, as: UTF8.self))) }
        }
        return out
    }

    @Test func aSealedValueReachesOnlyTheContainer() async throws {
        try await Project.with { p in
            let made = await p.berth("keys", "init")
            #expect(made.status == 0, "\(made.stderr)")
            let keyMode = try FileManager.default.attributesOfItem(atPath: p.state + "/keys/seal.key")[.posixPermissions] as? Int
            let folderMode = try FileManager.default.attributesOfItem(atPath: p.state + "/keys")[.posixPermissions] as? Int
            #expect(keyMode == 0o600 && folderMode == 0o700)
            let again = await p.berth("keys", "init")
            #expect(again.status == 1 && again.stderr.contains("already holds key"))
            let shown = await p.berth("keys", "show")
            #expect(shown.stdout.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
            let fingerprint = String(try #require(shown.stdout.split(separator: "\n").last { $0.hasPrefix("fingerprint ") }).dropFirst("fingerprint ".count))
            #expect(made.stdout.contains(fingerprint))

            let first = "hunter2-" + UUID().uuidString, second = "hunter2-" + UUID().uuidString
            func seal(_ value: String) async -> String {
                String(await p.berth(input: value + "\n", ["seal"]).stdout.dropLast())
            }
            let sealed = await seal(first)
            #expect(sealed.hasPrefix("berth-sealed:v1:\(fingerprint):"))
            try p.write("web.json", Self.envSpec(sealed))
            let plan = await p.berth("plan")
            let applied = await p.berth("apply")
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(try await Self.environment(p).contains("WELCOME=\(first)"))

            // The same value sealed again is a new text: nothing is replaced.
            let id = try await p.containers().first?.id
            try p.write("web.json", Self.envSpec(await seal(first)))
            let unchanged = await p.berth("apply")
            #expect(unchanged.status == 0 && !unchanged.stdout.contains("replace"), "\(unchanged.stdout)")
            #expect(try await p.containers().map(\.id) == [id].compactMap { $0 })

            // A new value: watch opens it too, and replaces the container.
            let watch = try WatchProcess(p, extra: ["--resync", "30m"])
            try p.write("web.json", Self.envSpec(await seal(second)))
            #expect(try await eventually { try await Self.environment(p).contains("WELCOME=\(second)") }, "\(watch.log)")
            #expect(await watch.stop() == 0)
            let changedPlan = await p.berth("plan")
            let history = await p.berth("history", "--json")
            let status = await p.berth("status", "--json")

            var outputs = [("plan", plan.stdout + plan.stderr), ("apply", applied.stdout + applied.stderr),
                           ("second apply", unchanged.stdout + unchanged.stderr), ("watch log", watch.log),
                           ("later plan", changedPlan.stdout + changedPlan.stderr), ("history", history.stdout), ("status", status.stdout)]
            outputs += Self.stateFiles(p).filter { !$0.0.hasPrefix("engine") }
            #expect(outputs.count > 8)
            for (what, text) in outputs {
                #expect(!text.contains("hunter2"), "\(what) shows the sealed value")
            }
        }
    }

    @Test func aValueSealedForAnotherKeyIsRefusedAndDeletesNothing() async throws {
        try await Project.with { p in
            #expect(await p.berth("keys", "init").status == 0)
            try p.write("web.json", p.spec("web", env: ["WELCOME": "plain"]))
            #expect(await p.berth("apply").status == 0)
            let before = try await p.containers().map(\.id)

            let elsewhere = try SealKey.generate()
            let publicFile = p.root.appendingPathComponent("other.pub").path
            try Data(try elsewhere.publicPEM()).write(to: URL(fileURLWithPath: publicFile))
            let sealed = await p.berth("seal", "--key", publicFile, "hunter2")
            #expect(sealed.status == 0)
            try p.write("web.json", Self.envSpec(String(sealed.stdout.dropLast())))

            let own = try #require(await p.berth("keys", "show").stdout.split(separator: "\n").last).dropFirst("fingerprint ".count)
            let expected = #"$.env.WELCOME.sealed: spec "web": the value is sealed for key \#(elsewhere.fingerprint), but this installation's key is \#(own): seal the value again for this installation (`berth keys show` prints its public key; elsewhere `berth seal --key seal.pub`)"#
            let validated = await p.berth("validate")
            #expect(validated.status == 1)
            #expect(validated.stderr.contains(p.specs + "/web.json:2:45: " + expected), "\(validated.stderr)")
            let applied = await p.berth("apply")
            #expect(applied.status == 1)
            #expect(applied.stderr.contains(expected), "\(applied.stderr)")
            #expect(try await p.containers().map(\.id) == before)
        }
    }

    /// Swarm takes env through the same path: the service's env holds the value, sealing it
    /// again leaves the service as it is, a new value updates it and is shown only as sealed.
    @Test func aSwarmServiceGetsTheValueToo() async throws {
        try await Project.with { p in
            defer { Task { _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-api") } }
            #expect(await p.berth("keys", "init").status == 0)
            let first = "hunter2-" + UUID().uuidString, second = "hunter2-" + UUID().uuidString
            func spec(_ value: String) async -> String {
                let sealed = String(await p.berth(input: value, ["seal"]).stdout.dropLast())
                return """
                    {"name": "api", "target": "swarm", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "replicas": 1,
                     "env": {"WELCOME": {"sealed": "\(sealed)"}}, "swarm": {"TaskTemplate": {"ContainerSpec": {"Init": true}}}}
                    """
            }
            func env() async throws -> [String] {
                try await SwarmTests.service(p, "api")?["Spec"]?["TaskTemplate"]?["ContainerSpec"]?["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
            }
            try p.write("api.json", await spec(first))
            let created = await p.berth("apply")
            #expect(created.status == 0, "\(created.stderr)")
            #expect(try await env() == ["WELCOME=\(first)"])

            try p.write("api.json", await spec(first))
            let same = await p.berth("plan", "--detailed-exitcode")
            #expect(same.status == 0, "\(same.stdout)")

            try p.write("api.json", await spec(second))
            let changed = await p.berth("plan")
            #expect(changed.stdout.contains("env.WELCOME: (sealed) value changed"), "\(changed.stdout)")
            let updated = await p.berth("apply")
            #expect(updated.status == 0, "\(updated.stderr)")
            #expect(try await env() == ["WELCOME=\(second)"])
            let outputs = [("plans", same.stdout + changed.stdout + changed.stderr), ("applies", created.stdout + created.stderr + updated.stdout + updated.stderr)]
                + Self.stateFiles(p)
            for (what, text) in outputs {
                #expect(!text.contains("hunter2"), "\(what) shows the sealed value")
            }
            _ = try? await p.engine.call("DELETE", "/services/\(p.owner)-api")
        }
    }
}
