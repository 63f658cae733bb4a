import BerthJSON
import Foundation
import Testing

/// Against a real engine: the operator's policy stops a risky spec before anything runs and
/// deletes nothing; without a policy `plan` warns; secrets in native env and URLs reach the
/// engine and nowhere else; a mass create is held.
@Suite(.timeLimit(.minutes(10)))
struct PolicyAndSecretsTests {
    @Test func policyRefusesRiskySpecsAndPlanWarnsWithoutOne() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            #expect(await p.berth("apply").status == 0)
            let policy = p.root.appendingPathComponent("policy.json").path
            try #"{"hostPaths": ["/srv"]}"#.write(toFile: policy, atomically: true, encoding: .utf8)
            // The test engine's own socket: a bind source must exist on the engine's host.
            let socket = String(p.engine.host.dropFirst("unix://".count))
            let risky = p.spec("web", extra: #", "volumes": ["\#(socket):/var/run/docker.sock"]"#)
                .replacingOccurrences(of: #""Init": true"#, with: #""Init": true, "Privileged": true"#)
            try p.write("web.json", risky)

            let warned = await p.berth("plan")
            #expect(warned.status == 0)
            let warnings = warned.stderr.split(separator: "\n").filter { $0.contains(": warning: ") }
            #expect(warnings.count == 2)
            #expect(warned.stderr.contains(#"$.docker.HostConfig.Privileged: warning: privileged container (policy rule "privileged"); an operator's --policy file can refuse it"#))

            let before = try await p.containers()
            let refused = await p.berth("apply", "--policy", policy)
            #expect(refused.status == 1)
            #expect(refused.stderr.contains(#"$.volumes[0]: mount of the Docker socket (host path "\#(socket)") is refused by policy rule "docker-socket" of \#(policy)"#))
            #expect(refused.stderr.contains(#"$.docker.HostConfig.Privileged: privileged container is refused by policy rule "privileged""#))
            // The file is invalid: what it described before is left exactly as it was.
            #expect(try await p.containers().map(\.id) == before.map(\.id))
            #expect(await p.berth("validate", "--policy", policy).status == 1)
        }
    }

    @Test func secretsInNativeEnvAndURLsReachOnlyTheEngine() async throws {
        try await Project.with { p in
            func spec(_ version: String) -> String {
                """
                {"name": "web", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "secretEnv": ["LICENSE"],
                 "docker": {"HostConfig": {"Init": true}, "Env": ["API_TOKEN=hunter2-\(version)", "DATABASE_URL=postgres://app:hunter2-\(version)@db/shop", "LICENSE=hunter2-lic-\(version)", "MODE=a"]}}
                """
            }
            try p.write("web.json", spec("v1"))
            let first = await p.berth("apply")
            #expect(first.status == 0)
            try p.write("web.json", spec("v2"))
            let plan = await p.berth("plan")
            let json = await p.berth("plan", "--json")
            #expect(plan.stdout.contains("docker.Env.API_TOKEN: (secret value changed)"))
            #expect(plan.stdout.contains("docker.Env.LICENSE: (secret value changed)"))
            #expect(plan.stdout.contains("docker.Env.DATABASE_URL: \"postgres://app:(redacted:"))
            let second = await p.berth("apply")
            #expect(second.status == 0)
            let history = await p.berth("history", "--json")

            let journal = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8)
            let configs = try String(contentsOfFile: p.state + "/configs.json", encoding: .utf8)
            for (what, text) in [("apply", first.stdout + first.stderr), ("plan", plan.stdout + plan.stderr), ("plan --json", json.stdout),
                                 ("second apply", second.stdout + second.stderr), ("history", history.stdout),
                                 ("journal", journal), ("configs.json", configs)] {
                #expect(!text.contains("hunter2"), "\(what) shows a secret")
            }
            // The engine got the values; the key that makes fingerprints is the owner's alone.
            let container = try #require(try await p.containers().first)
            let env = try await p.engine.inspect(container.id)?["Config"]?["Env"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(env.contains("API_TOKEN=hunter2-v2") && env.contains("LICENSE=hunter2-lic-v2"))
            let attributes = try FileManager.default.attributesOfItem(atPath: p.state + "/fingerprint.key")
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect((attributes[.size] as? Int) == 32)
        }
    }

    @Test func aMassCreateStartsNothingUntilAllowed() async throws {
        try await Project.with { p in
            try p.write("many.json", p.spec("many", replicas: 101))
            let run = await p.berth("apply")
            #expect(run.stdout.contains("note: refusing to start 101 containers or replicas at once (more than 100); pass --allow-mass-create if that is meant (the first 20 of 101 held creates are listed)"))
            #expect(run.stdout.contains("! held create docker container many #1: missing, held back by the mass-create guard"))
            #expect(try await p.containers().isEmpty)
        }
    }
}
