@testable import BerthCommands
import BerthJSON
import BerthModel
import Foundation
import Testing

/// What a person sees on a terminal: coloured plan lines, the attributes a create sets (secrets
/// masked), colour only where wanted, and durations on apply's lines.
struct TerminalOutputTests {
    static let web = Spec(name: "web", image: "nginx:1.27", command: ["serve", "--db", "postgres://app:hunter2@db/app"],
                          env: ["MODE": "prod", "DB_PASSWORD": "hunter2", "API": "tok-1"], replicas: 2,
                          ports: [PortMapping(hostPort: 8080, containerPort: 80)],
                          volumes: [VolumeMount(source: "data", destination: "/data", readOnly: true)])
    static var plan: Plan {
        var web = web
        web.secretEnv = ["API"]
        web.sealedEnv = ["SEALED": SealedValue(text: "x", keyFingerprint: "f", path: .root, position: JSONPosition(line: 1, column: 1))]
        let old = Spec(name: "api", image: "busybox:1")
        return Planner.plan(desired: DesiredState(specs: [web]), observed: [
            ObservedResource(id: "c1", name: "web", replica: 2, engineName: "main-web-2", configHash: "old", state: .running),
            ObservedResource(id: "c2", name: "api", replica: 1, engineName: "main-api-1", configHash: old.configHash, state: .running),
        ], context: PlanContext(owner: "main"))
    }

    static let plain = """
        - delete docker container api #1: spec removed
        + create docker container web #1: missing
            image: "nginx:1.27"
            command: ["serve", "--db", "postgres://app:***@db/app"]
            env.API: (secret)
            env.DB_PASSWORD: (secret)
            env.MODE: "prod"
            env.SEALED: (sealed)
            ports: ["8080:80/tcp"]
            volumes: ["data:/data:ro"]
            replicas: 2
        ~ replace docker container web #2: configuration changed (config hash old -> \(String(plan.actions[2].configHash!.prefix(12))); earlier configuration not recorded) [stop-first]
        + create docker volume data: used by web
        Plan: 2 to create, 1 to replace, 1 to delete.
        """

    @Test func aCreateListsWhatItSetsWithSecretsMasked() {
        #expect(Self.plan.description == Self.plain)
        #expect(!Self.plan.description.contains("hunter2") && !Self.plan.description.contains("tok-1"))
    }

    @Test func colouredPlanMarksEachLineByWhatItDoes() {
        let console = Console.capturing()
        console.color = true
        console.outPlan(Self.plan.description)
        let e = "\u{1B}["
        let lines = Self.plain.split(separator: "\n").map(String.init)
        let expected = ["\(e)31m\(lines[0])\(e)0m", "\(e)32m\(lines[1])\(e)0m"] + lines[2...10] + [
            "\(e)33m\(lines[11])\(e)0m", "\(e)32m\(lines[12])\(e)0m", "\(e)1m\(lines[13])\(e)0m",
        ]
        #expect(console.stdout == expected.joined(separator: "\n") + "\n")
    }

    @Test func heldDeletionsAndErrorsStandOut() {
        var plan = Plan(actions: [], held: [Action(op: .delete, key: ResourceKey.container("docker", "api", replica: 1),
                                                   reason: "spec removed, held back by the mass-delete guard")])
        plan.specCount = 1
        let console = Console.capturing()
        console.color = true
        console.outPlan(plan.description)
        console.err("failed [1/1]: create docker container web #1: boom (0.1s)", style: .red)
        #expect(console.stdout == """
            \u{1B}[1;31m! held delete docker container api #1: spec removed, held back by the mass-delete guard\u{1B}[0m
            \u{1B}[1;31mNo changes to make now. Held: 1 deletion of removed spec api (see the note).\u{1B}[0m

            """)
        #expect(console.stderr == "\u{1B}[31mfailed [1/1]: create docker container web #1: boom (0.1s)\u{1B}[0m\n")
    }

    @Test func plainWhenColourIsOff() {
        let console = Console.capturing()
        console.outPlan(Self.plan.description)
        #expect(console.stdout == Self.plain + "\n")
        #expect(!console.stdout.contains("\u{1B}"))
    }

    /// An escape sequence from a spec stays escaped inside a coloured line.
    @Test func colourDoesNotLetSpecTextThrough() {
        let console = Console.capturing()
        console.color = true
        console.outPlan("+ create docker container w\u{1B}[2J #1: missing")
        #expect(console.stdout == "\u{1B}[32m+ create docker container w\\u001b[2J #1: missing\u{1B}[0m\n")
    }

    @Test(arguments: [
        ("auto", ["TERM": "xterm"], true, true),
        ("auto", ["TERM": "xterm"], false, false),
        ("auto", ["TERM": "dumb"], true, false),
        ("auto", ["TERM": "xterm", "NO_COLOR": "1"], true, false),
        ("auto", ["TERM": "xterm", "NO_COLOR": ""], true, true),
        ("always", ["TERM": "dumb", "NO_COLOR": "1"], false, true),
        ("never", ["TERM": "xterm"], true, false),
    ])
    func colourIsChosenOnce(choice: String, environment: [String: String], terminal: Bool, colored: Bool) {
        #expect(Terminal.colored(choice: choice, environment: environment, outputIsTerminal: terminal) == colored)
    }

    @Test func colorOptionReachesTheConsole() async {
        let console = Console.capturing()
        _ = await BerthCLI.run(["version", "--color", "always"], environment: [:], console: console)
        #expect(console.color)
        let never = Console.capturing()
        _ = await BerthCLI.run(["version"], environment: ["TERM": "xterm"], console: never)
        #expect(!never.color)
    }

    @Test func durationsAreShort() {
        #expect(Durations.short(.milliseconds(1234)) == "1.2s")
        #expect(Durations.short(.zero) == "0.0s")
        #expect(Durations.short(.seconds(125)) == "2m05s")
    }

    /// Off a terminal, progress is one line per step, where the caller asked.
    @Test func progressIsOneLinePerStepOffATerminal() {
        let console = Console.capturing()
        console.status("image: pull a: 1/3")
        console.status("waiting: web: 1 of 2 updated", onStdout: true)
        console.endStatus()
        #expect(console.stderr == "image: pull a: 1/3\n")
        #expect(console.stdout == "waiting: web: 1 of 2 updated\n")
    }

    /// On a terminal, each step overwrites the last, and the next ordinary line clears it.
    @Test func progressIsOneUpdatingLineOnATerminal() {
        let written = Written()
        let console = Console(sink: { isError, text in written.add(isError, text) }, errorIsTerminal: true)
        console.status("image: pull a: 1/3")
        console.status("image: pull a: 2/3")
        console.err("image: pulled image a")
        #expect(written.text == "\r\u{1B}[Kimage: pull a: 1/3\r\u{1B}[K\r\u{1B}[Kimage: pull a: 2/3\r\u{1B}[Kimage: pulled image a\n")
    }

    final class Written: @unchecked Sendable {
        private let lock = NSLock()
        private var parts: [String] = []
        func add(_ isError: Bool, _ text: String) { lock.withLock { parts.append(text) } }
        var text: String { lock.withLock { parts.joined() } }
    }

    @Test func deletionsAreConfirmedOnlyOnATerminal() throws {
        let plan = Self.plan
        func asked(_ answer: String, terminal: Bool, flags: [String] = []) throws -> (Bool, String) {
            let console = Console(sink: nil, inputLine: { answer }, inputIsTerminal: terminal)
            var arguments = try Arguments.parse(["apply"] + flags, options: CommandTable.allOptions)
            arguments.command = "apply"
            return (Confirmation.approved(plan, arguments: arguments, console: console), console.stdout)
        }
        let yes = try asked("yes", terminal: true)
        #expect(yes.0 && yes.1 == "\n1 resource will be deleted (see the plan above).\nDo you want to perform these actions? Only 'yes' will be accepted: ")
        #expect(try !asked("y", terminal: true).0)
        #expect(try !asked("no", terminal: true).0)
        #expect(try asked("no", terminal: false) == (true, ""))
        #expect(try asked("no", terminal: true, flags: ["--yes"]) == (true, ""))
    }
}
