import BerthDocker
import BerthModel
import CBuildInfo
import FoundationEssentials

/// The commands as a library: the executable only forwards its arguments here, so every
/// command is testable in process.
public enum BerthCLI {
    public static let version = "0.2.0"
    public static var commit: String { String(cString: berth_build_commit()) }

    public static func run(_ argv: [String], environment: [String: String], console: Console) async -> Int32 {
        let command: CommandInfo?
        let arguments: Arguments
        do {
            (command, arguments) = try CommandTable.parse(argv)
            if let command { try CommandOptions.check(command, arguments) }
        } catch {
            console.err("berth: \(error)")
            return ExitCode.usage
        }
        console.color = Terminal.colored(choice: arguments.values["color"], environment: environment, outputIsTerminal: console.outputIsTerminal)
        if arguments.flags.contains("version") && command == nil { return showVersion(console) }
        guard let command else {
            if arguments.flags.contains("help") { console.out(CommandTable.overview()); return ExitCode.ok }
            console.err(CommandTable.overview())
            return ExitCode.usage
        }
        if arguments.flags.contains("help") { console.out(CommandTable.help(command)); return ExitCode.ok }
        switch command.name {
        case "help": return help(arguments.positionals.first, console: console)
        case "version": return showVersion(console)
        case "completion": console.out(CompletionScripts.script(for: arguments.positionals[0])); return ExitCode.ok
        case "manual": console.out(ManualPage.page(version: version)); return ExitCode.ok
        default: break
        }
        var settings: Settings
        do { settings = try Settings(arguments: arguments, environment: environment) } catch {
            // A bad option value is usage; a policy file that is refused or unreadable is not.
            console.err("berth: \(error)")
            return (error as? BerthError)?.code == .usage ? ExitCode.usage : ExitCode.failure
        }
        settings.transportWarnings = TransportWarnings(emit: { console.err($0) })
        do {
            switch command.name {
            case "validate": return ValidateCommand.run(settings: settings, arguments: arguments, console: console)
            case "plan": return await PlanCommand.run(settings: settings, arguments: arguments, console: console)
            case "apply": return await ApplyCommand.run(settings: settings, arguments: arguments, console: console)
            case "down": return await DownCommand.run(settings: settings, arguments: arguments, console: console)
            case "show": return ShowCommand.run(arguments: arguments, console: console)
            case "history": return try HistoryCommand.run(settings: settings, arguments: arguments, console: console)
            case "watch": return await WatchCommand.run(settings: settings, arguments: arguments, console: console)
            case "status": return try await StatusCommand.run(settings: settings, arguments: arguments, console: console)
            case "release": return try ReleaseCommand.run(settings: settings, arguments: arguments, console: console)
            case "keys": return try KeysCommand.run(settings: settings, arguments: arguments, console: console)
            case "seal": return try SealCommand.run(settings: settings, arguments: arguments, console: console)
            case "install-service":
                return try await InstallServiceCommand.run(settings: settings, arguments: arguments, console: console, environment: environment)
            case "import": return ImportCommand.run(settings: settings, arguments: arguments, console: console)
            case "logs": return try await LogsCommand.run(settings: settings, arguments: arguments, console: console)
            case "ps": return try await PsCommand.run(settings: settings, arguments: arguments, console: console)
            case "suspend", "resume":
                return try SuspendCommand.run(settings: settings, arguments: arguments, console: console, suspend: command.name == "suspend")
            default: fatalError("command \(command.name) is in the table but has no implementation")
            }
        } catch {
            console.err("berth: \(error)")
            return ExitCode.failure
        }
    }

    static func help(_ name: String?, console: Console) -> Int32 {
        guard let name else { console.out(CommandTable.overview()); return ExitCode.ok }
        guard let command = CommandTable.command(name) else {
            console.err("berth: unknown command \"\(name)\"" + Arguments.suggestion(name, CommandTable.commands.map(\.name))
                        + " (commands: \(CommandTable.commands.map(\.name).joined(separator: ", ")))")
            return ExitCode.usage
        }
        console.out(CommandTable.help(command))
        return ExitCode.ok
    }

    static func showVersion(_ console: Console) -> Int32 {
        console.out("berth \(version) (commit \(commit))")
        console.out("Docker Engine API: up to v\(DockerClient.maxAPIVersion), negotiated down to the engine's")
        console.out("Kubernetes APIs: v1, apps/v1 and coordination.k8s.io/v1, and any kind the cluster's discovery serves")
        return ExitCode.ok
    }
}

/// Option values are checked before anything is read or written, so a command that fails on
/// its arguments leaves nothing behind (no state folder, no journal).
enum CommandOptions {
    static func check(_ command: CommandInfo, _ arguments: Arguments) throws {
        _ = try arguments.int("parallel", default: 8, range: 1...256)
        _ = try arguments.int("limit", default: 50, range: 1...1_000_000)
        _ = try arguments.int("replica", default: 1, range: 1...SpecDecoder.maxReplicas)
        _ = try arguments.int("tail", default: 0, range: 0...100_000_000)
        if command.name == "logs", let name = arguments.positionals.first, !Names.isValid(name) {
            throw Arguments.usage("\"\(name)\" is not a spec name (lowercase letters, digits and '-')")
        }
        _ = try GitSourceOptions(arguments)
        if let prefix = arguments.values["revision"], prefix.isEmpty || !prefix.allSatisfy(\.isHexDigit) {
            throw Arguments.usage("--revision takes a commit hash or its first few hex digits, got \"\(prefix)\"")
        }
        for name in ["timeout", "debounce", "resync"] {
            if let text = arguments.values[name] { _ = try Durations.parse(text, option: name) }
        }
        if arguments.values["timeout"] != nil && !arguments.flags.contains("wait") {
            throw Arguments.usage("--timeout only applies with --wait; add --wait or drop --timeout")
        }
        if let text = arguments.values["resync"], try Durations.parse(text, option: "resync") < .seconds(1) {
            throw Arguments.usage("--resync must be at least 1s, got \"\(text)\"")
        }
        if let color = arguments.values["color"], !Terminal.choices.contains(color) {
            throw Arguments.usage("--color is auto, always or never, got \"\(color)\"")
        }
        if command.name == "plan", let out = arguments.values["out"], !out.hasSuffix(SavedPlan.fileSuffix) || out.count == SavedPlan.fileSuffix.count {
            throw Arguments.usage("--out names a file ending in .berth (apply knows a saved plan by it), got \"\(out)\"")
        }
        if let format = arguments.values["log-format"], !["text", "json"].contains(format) {
            throw Arguments.usage("--log-format is text or json, got \"\(format)\"")
        }
        if let target = arguments.values["target"], !Names.isValid(target) {
            throw Arguments.usage("--target takes a target's name (docker, swarm, kubernetes, or one of berth.json), got \"\(target)\"")
        }
        if command.name == "release" && arguments.positionals.isEmpty && !arguments.flags.contains("all") {
            throw Arguments.usage("release needs the names of removed specs whose deletion is held, or --all; `berth status` lists them")
        }
        if ["suspend", "resume"].contains(command.name) && arguments.positionals.isEmpty {
            throw Arguments.usage("\(command.name) needs the names of the specs to \(command.name); `berth status` lists them")
        }
        if command.name == "release" && !arguments.positionals.isEmpty && arguments.flags.contains("all") {
            throw Arguments.usage("release takes spec names or --all, not both")
        }
        let names = arguments.positionals.filter { command.words != .specNamesOrPlan || !$0.hasSuffix(SavedPlan.fileSuffix) }
        for name in names + arguments.lists["allow-delete", default: []] where [.specNames, .specNamesOrPlan].contains(command.words) {
            guard Names.isValid(name) else {
                throw Arguments.usage("\"\(name)\" is not a spec name (lowercase letters, digits and '-')")
            }
        }
    }
}
