import BerthModel
import Foundation

/// The commands as a library: the executable only forwards its arguments here, so every
/// command is testable in process.
public enum BerthCLI {
    public static let version = "0.1.0"

    static let commandOptions: [Arguments.Option] = [
        .init(name: "json", takesValue: false, help: "machine-readable output (plan, history)"),
        .init(name: "detailed-exitcode", takesValue: false, help: "plan: exit 0 no changes, 2 changes, 1 error"),
        .init(name: "parallel", takesValue: true, help: "apply: actions at once (default 8)"),
        .init(name: "allow-mass-delete", takesValue: false, help: "apply/plan: allow deleting all, or more than half, of the managed resources at once"),
        .init(name: "name", takesValue: true, help: "history: only this spec name"),
        .init(name: "target", takesValue: true, help: "history: only this target (docker, swarm, kubernetes)"),
        .init(name: "limit", takesValue: true, help: "history: the last N records (default 50)"),
        .init(name: "version", takesValue: false, help: "print the version"),
        .init(name: "debounce", takesValue: true, help: "watch: quiet time before a burst of file changes is reconciled (default 100ms)"),
        .init(name: "resync", takesValue: true, help: "watch: full reconcile every so often (default 60s)"),
        .init(name: "log-format", takesValue: true, help: "watch: text (default) or json"),
        .init(name: "wait", takesValue: false, help: "apply: wait for Kubernetes rollouts and Swarm updates to complete; fail with the condition's or Swarm's message when one stalls, rolls back or pauses"),
        .init(name: "timeout", takesValue: true, help: "apply --wait: give up after this long (default 5m)"),
    ]

    static let usage = """
    usage: berth COMMAND [options]

    commands:
      validate   check every spec file; exit 0, or 1 with every error listed
      plan       show what apply would do (--json, --detailed-exitcode)
      apply      make the engine match the specs (--parallel N, --allow-mass-delete, --wait [--timeout D])
      watch      keep the engine converged: file changes, engine events, resync (--debounce, --resync, --log-format)
      status     per spec: desired and running replicas, config, last action and error (--json)
      history    read the journal (--json, --name NAME, --target T, --limit N)

    options:
    """

    public static func run(_ argv: [String], environment: [String: String], console: Console) async -> Int32 {
        let options = Settings.globalOptions + commandOptions
        do {
            let arguments = try Arguments.parse(argv, options: options)
            if arguments.flags.contains("version") { console.out("berth \(version)"); return 0 }
            guard let command = arguments.command, !arguments.flags.contains("help") else {
                console.out(usage)
                for option in options { console.out("  --\(option.name)\(option.takesValue ? " VALUE" : "")  \(option.help)") }
                return arguments.command == nil && !arguments.flags.contains("help") ? 1 : 0
            }
            if !arguments.positionals.isEmpty {
                throw BerthError(.usage, "unexpected argument \"\(arguments.positionals[0])\"")
            }
            let settings = try Settings(arguments: arguments, environment: environment)
            switch command {
            case "validate": return ValidateCommand.run(settings: settings, console: console)
            case "plan": return await PlanCommand.run(settings: settings, arguments: arguments, console: console)
            case "apply": return await ApplyCommand.run(settings: settings, arguments: arguments, console: console)
            case "history": return try HistoryCommand.run(settings: settings, arguments: arguments, console: console)
            case "watch": return await WatchCommand.run(settings: settings, arguments: arguments, console: console)
            case "status": return try await StatusCommand.run(settings: settings, arguments: arguments, console: console)
            default: throw BerthError(.usage, "unknown command \"\(command)\"; commands are validate, plan, apply, watch, status, history")
            }
        } catch {
            console.err("berth: \(error)")
            return 1
        }
    }
}
