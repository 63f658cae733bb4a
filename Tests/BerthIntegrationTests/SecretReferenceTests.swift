import Foundation
import Glibc
import Testing

/// Against a real engine: env values read from a file and from berth's environment reach the
/// container and nothing else; a new value in the file replaces the container; a file that
/// went missing makes the spec invalid and deletes nothing.
@Suite(.timeLimit(.minutes(10)))
struct SecretReferenceTests {
    @Test func secretsFromAFileAndTheEnvironmentReachOnlyTheContainer() async throws {
        try await Project.with { p in
            let first = "hunter2-" + UUID().uuidString, second = "hunter2-" + UUID().uuidString
            let secretFile = p.root.appendingPathComponent("db-password").path
            try (first + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
            // berth runs in this process here: a variable of its own name, removed afterwards.
            let variable = "BERTH_IT_TOKEN_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            setenv(variable, "token-" + first, 1)
            defer { unsetenv(variable) }
            try p.write("web.json", """
                {"name": "web", "image": "\(TestEngine.demoImage)", "command": ["sleep", "3600"], "docker": {"HostConfig": {"Init": true}},
                 "env": {"MODE": "a", "DB_PASS": {"file": "\(secretFile)"}, "API": {"env": "\(variable)"}}}
                """)
            let plan = await p.berth("plan")
            let applied = await p.berth("apply")
            #expect(applied.status == 0, "\(applied.stderr)")
            let env = try await SealedSecretsTests.environment(p)
            #expect(env.contains("DB_PASS=\(first)") && env.contains("API=token-\(first)"), "\(env)")

            // A new value in the file is a change of the spec.
            let id = try await p.containers().first?.id
            try (second + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
            let replanned = await p.berth("plan")
            #expect(replanned.stdout.contains("env.DB_PASS: (secret value changed)"), "\(replanned.stdout)")
            let replaced = await p.berth("apply")
            #expect(replaced.status == 0, "\(replaced.stderr)")
            #expect(try await SealedSecretsTests.environment(p).contains("DB_PASS=\(second)"))
            let after = try await p.containers().map(\.id)
            #expect(after.count == 1 && after.first != id)

            // The file is gone: the spec is invalid, and its container stays.
            try FileManager.default.removeItem(atPath: secretFile)
            let validated = await p.berth("validate")
            #expect(validated.status == 1)
            #expect(validated.stderr.contains(#"web.json:2:43: $.env.DB_PASS.file: spec "web": env DB_PASS: cannot read the secret file \#(secretFile): it does not exist; create it or fix the path"#), "\(validated.stderr)")
            let refused = await p.berth("apply")
            #expect(refused.status == 1)
            #expect(try await p.containers().map(\.id) == after)

            let history = await p.berth("history", "--json")
            let status = await p.berth("status", "--json")
            var outputs = [("plan", plan.stdout + plan.stderr), ("apply", applied.stdout + applied.stderr),
                           ("second plan", replanned.stdout + replanned.stderr), ("second apply", replaced.stdout + replaced.stderr),
                           ("validate", validated.stdout + validated.stderr), ("refused apply", refused.stdout + refused.stderr),
                           ("history", history.stdout), ("status", status.stdout)]
            outputs += SealedSecretsTests.stateFiles(p).filter { !$0.0.hasPrefix("engine") }
            #expect(outputs.count > 8)
            for (what, text) in outputs {
                #expect(!text.contains("hunter2"), "\(what) shows the secret")
            }
        }
    }
}
