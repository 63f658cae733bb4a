import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// `plan -out FILE.berth`, `apply FILE.berth` and `show` against the real engine, and apply's
/// question before deletions at a (pseudo-)terminal.
@Suite(.timeLimit(.minutes(10)))
struct SavedPlanTests {
    @Test func theSavedPlanIsAppliedExactlyAndHoldsNoSecret() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            #expect(await p.berth("apply").status == 0)
            try p.write("api.json", p.spec("api", env: ["DB_PASSWORD": "hunter2-secret", "MODE": "a"]))
            try p.write("db.json", p.spec("db"))
            let file = p.root.appendingPathComponent("api.berth").path

            // Only api is asked for: the saved plan creates api, not db, though db's spec is there too.
            let plan = await p.berth("plan", "-out", file, "api")
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.stdout.contains("+ create docker container api #1: missing\n    image: \"\(TestEngine.demoImage)\""), "\(plan.stdout)")
            #expect(plan.stdout.contains("    env.DB_PASSWORD: (secret)\n    env.MODE: \"a\""), "\(plan.stdout)")
            #expect(plan.stdout.hasSuffix("Saved the plan to \(file). To carry out exactly these actions: berth apply \(file)\n"))
            let saved = try String(contentsOfFile: file, encoding: .utf8)
            #expect(!saved.contains("hunter2"))
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let show = await p.berth("show", file)
            #expect(show.status == 0)
            #expect(show.stdout.hasPrefix(plan.stdout.components(separatedBy: "Saved the plan").first!), "\(show.stdout)")
            let showJSON = await p.berth("show", file, "--json")
            let planJSON = await p.berth("plan", "--json", "api")
            #expect(try JSONParser.parse(showJSON.stdout).value == JSONParser.parse(planJSON.stdout).value)

            let apply = await p.berth("apply", file)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stdout.range(of: #"ok \[1/1\]: create docker container api #1 \((\d+\.\d|\d+)s\)"#, options: .regularExpression) != nil,
                    "\(apply.stdout)")
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-api-1", "\(p.owner)-web-1"])

            // Applied once, the plan is spent: api's container is new since it was made.
            let again = await p.berth("apply", file)
            #expect(again.status == 1)
            #expect(again.stderr.contains("the saved plan \(file) no longer holds"), "\(again.stderr)")
            #expect(again.stderr.contains("docker container \(p.owner)-api-1 ("), "\(again.stderr)")
            #expect(again.stderr.contains("is new"), "\(again.stderr)")
            #expect(try await p.containers().count == 2)
        }
    }

    /// Before the first apply there is no state folder and no fingerprint key: the plan
    /// carries a digest key of its own, and applying it works all the same.
    @Test func aPlanMadeBeforeAnyApplyIsApplied() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", env: ["API_TOKEN": "tok-secret-1"]))
            let file = p.root.appendingPathComponent("first.berth").path
            #expect(await p.berth("plan", "-out", file).status == 0)
            #expect(!FileManager.default.fileExists(atPath: p.state), "plan makes no state folder")
            let saved = try String(contentsOfFile: file, encoding: .utf8)
            #expect(saved.contains("\"digestKey\"") && !saved.contains("tok-secret"))
            let apply = await p.berth("apply", file)
            #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-web-1"])
        }
    }

    @Test func aSpecEditedSinceThePlanIsNamedAndNothingIsApplied() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", env: ["MODE": "a"]))
            #expect(await p.berth("apply").status == 0)
            let before = try await p.containers().map(\.id)
            try p.write("web.json", p.spec("web", env: ["MODE": "b"]))
            let file = p.root.appendingPathComponent("web.berth").path
            #expect(await p.berth("plan", "--out", file).status == 0)

            try p.write("web.json", p.spec("web", env: ["MODE": "c"]))
            try p.write("bad.json", #"{"name": 1}"#)
            let apply = await p.berth("apply", file)
            #expect(apply.status == 1, "\(apply.stdout)\(apply.stderr)")
            #expect(apply.stderr.contains("berth: nothing applied: the saved plan \(file) no longer holds:"), "\(apply.stderr)")
            #expect(apply.stderr.contains("\n  spec file web.json: spec docker/web changed\n"), "\(apply.stderr)")
            #expect(apply.stderr.contains("\n  spec file bad.json: now invalid\n"), "\(apply.stderr)")
            #expect(apply.stderr.contains("Make a new one with `berth plan -out \(file)`"))
            #expect(try await p.containers().map(\.id) == before)
        }
    }

    @Test func aContainerKilledOrRemovedSinceThePlanIsNamedAndNothingIsApplied() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", replicas: 2, env: ["MODE": "a"]))
            #expect(await p.berth("apply").status == 0)
            try p.write("web.json", p.spec("web", replicas: 2, env: ["MODE": "b"]))
            let file = p.root.appendingPathComponent("web.berth").path
            #expect(await p.berth("plan", "-out=\(file)").status == 0)
            let found = try await p.containers()

            try await p.engine.kill(found[0].id)
            #expect(try await Poll.until { try await p.engine.inspect(found[0].id)?["State"]?["Running"] == .bool(false) })
            let killed = await p.berth("apply", file)
            #expect(killed.status == 1, "\(killed.stdout)\(killed.stderr)")
            #expect(killed.stderr.contains("docker container \(p.owner)-web-1 (\(found[0].id.prefix(12))) was running, is exited"), "\(killed.stderr)")
            #expect(try await p.containers().map(\.id) == found.map(\.id))

            #expect(await p.berth("plan", "-out", file).status == 0)
            _ = try await p.engine.call("DELETE", "/containers/\(found[1].id)?force=true")
            let removed = await p.berth("apply", file)
            #expect(removed.status == 1, "\(removed.stdout)\(removed.stderr)")
            #expect(removed.stderr.contains("docker container \(p.owner)-web-2 (\(found[1].id.prefix(12))) is gone"), "\(removed.stderr)")
            #expect(try await p.containers().map(\.id) == [found[0].id])
        }
    }

    /// At a terminal, apply asks before deleting; only "yes" goes ahead. Off a terminal it
    /// never asks and deletes as it always did.
    @Test func deletionsWaitForYesAtATerminal() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web", replicas: 3))
            #expect(await p.berth("apply").status == 0)
            try p.write("web.json", p.spec("web", replicas: 2))
            let arguments = ["apply", "--specs", p.specs, "--state", p.state, "--owner", p.owner, "--docker-host", p.engine.host]
            let environment = WatchProcess.environment(["TERM": "xterm", "HOME": p.root.path])

            let no = try PseudoTerminal(arguments: arguments, environment: environment)
            #expect(no.read(until: "Only 'yes' will be accepted: "), "\(no.output)")
            #expect(no.output.contains("\u{1B}[31m- delete docker container web #3: scaled down to 2 replicas\u{1B}[0m"), "\(no.output)")
            no.type("no")
            #expect(no.wait() == 1, "\(no.output)")
            #expect(no.output.contains("Apply cancelled: nothing was changed."), "\(no.output)")
            #expect(try await p.containers().count == 3)

            let yes = try PseudoTerminal(arguments: arguments, environment: environment)
            #expect(yes.read(until: "Only 'yes' will be accepted: "), "\(yes.output)")
            yes.type("yes")
            #expect(yes.wait() == 0, "\(yes.output)")
            #expect(yes.output.range(of: #"ok \[1/1\]: delete docker container web #3 \(\d+\.\ds\)"#, options: .regularExpression) != nil,
                    "\(yes.output)")
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-web-1", "\(p.owner)-web-2"])

            try p.write("web.json", p.spec("web", replicas: 1))
            let piped = await p.berth("apply")
            #expect(piped.status == 0, "\(piped.stdout)\(piped.stderr)")
            #expect(!piped.stdout.contains("Do you want"))
            #expect(!piped.stdout.contains("\u{1B}["))
            #expect(try await p.containers().map(\.name) == ["\(p.owner)-web-1"])
        }
    }

    /// Colour on a terminal unless NO_COLOR or TERM=dumb says otherwise; off a terminal only with --color always.
    @Test func colourFollowsTheTerminalNoColorAndTheOption() async throws {
        try await Project.with { p in
            try p.write("web.json", p.spec("web"))
            let arguments = ["plan", "--specs", p.specs, "--state", p.state, "--owner", p.owner, "--docker-host", p.engine.host]
            let green = "\u{1B}[32m+ create docker container web #1: missing\u{1B}[0m"
            for (environment, colored) in [(["TERM": "xterm"], true), (["TERM": "xterm", "NO_COLOR": "1"], false), (["TERM": "dumb"], false)] {
                let terminal = try PseudoTerminal(arguments: arguments, environment: WatchProcess.environment(environment))
                #expect(terminal.wait() == 0, "\(terminal.output)")
                #expect(terminal.output.contains("+ create docker container web #1: missing"), "\(terminal.output)")
                #expect(terminal.output.contains(green) == colored, "\(environment): \(terminal.output)")
                #expect(terminal.output.contains("\u{1B}[") == colored, "\(environment): \(terminal.output)")
            }
            let never = try PseudoTerminal(arguments: arguments + ["--color", "never"], environment: WatchProcess.environment(["TERM": "xterm"]))
            #expect(never.wait() == 0 && !never.output.contains("\u{1B}["), "\(never.output)")
            let piped = await p.berth("plan", "--color", "always")
            #expect(piped.stdout.hasPrefix(green + "\n"), "\(piped.stdout)")
        }
    }
}
