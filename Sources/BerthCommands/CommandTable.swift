import BerthSystem
import FoundationEssentials

/// Every command and the options it takes: the one source of the parser's checks, `berth help`
/// and the README's reference, so the three cannot drift apart.
public struct CommandInfo: Sendable {
    public enum Words: Sendable {
        case none
        /// Spec names that restrict the command to those specs (as Terraform's -target).
        case specNames
        /// `help`'s optional command name.
        case commandName
        /// `keys`' action: init or show.
        case keysAction
        /// `seal`'s optional value (stdin when absent).
        case value
        /// `apply`: spec names, or one saved plan file (`plan.berth`).
        case specNamesOrPlan
        /// `show`: one saved plan file.
        case planFile
        /// `completion`'s shell: bash, zsh or fish.
        case shell
        /// `import`'s format and file: `compose FILE`.
        case importSource
        /// Exactly one spec name (`logs`).
        case specName
    }

    public var name: String
    public var summary: String
    public var words: Words
    public var options: [Arguments.Option]

    public var synopsis: String {
        var parts = ["berth", name]
        for option in options { parts.append("[--\(option.name)\(option.value.map { " \($0)" } ?? "")]") }
        switch words {
        case .none: break
        case .specNames: parts.append("[SPEC...]")
        case .commandName: parts.append("[COMMAND]")
        case .keysAction: parts.append("init|show")
        case .value: parts.append("[VALUE]")
        case .specNamesOrPlan: parts.append("[SPEC... | FILE.berth]")
        case .planFile: parts.append("FILE.berth")
        case .shell: parts.append(CommandTable.shells.joined(separator: "|"))
        case .importSource: parts.append("compose FILE")
        case .specName: parts.append("NAME")
        }
        return parts.joined(separator: " ")
    }
}

public enum CommandTable {
    static let json = Arguments.Option(name: "json", help: "machine-readable JSON on stdout")
    static let allowMassDelete = Arguments.Option(
        name: "allow-mass-delete", help: "carry out deletions the guard holds (more than half of the specs, or all of them)")
    static let allowDelete = Arguments.Option(
        name: "allow-delete", value: "SPEC", help: "carry out the held deletion of this removed spec (repeatable, or comma-separated)",
        repeatable: true)
    static let parallel = Arguments.Option(name: "parallel", value: "N", help: "actions at once on each target, 1-256 (default 8)")
    static let git = Arguments.Option(name: "git", value: "URL", help: "take the specs from this git repository's branch (committed revisions only) instead of --specs; the clone lives under state/git/")
    static let branch = Arguments.Option(name: "branch", value: "NAME", help: "with --git: the branch to follow (default main)")
    static let path = Arguments.Option(name: "path", value: "DIR", help: "with --git: the specs folder inside the repository (default: its root)")
    static let allowMassCreate = Arguments.Option(
        name: "allow-mass-create", help: "start more than 100 containers or replicas at once (the mass-create guard holds them otherwise)")

    public static let commands: [CommandInfo] = [
        CommandInfo(name: "validate", summary: "check every spec file; exit 0, or 1 with every error listed", words: .none,
                    options: [json]),
        CommandInfo(name: "plan", summary: "show what apply would do, changing nothing", words: .specNames, options: [
            json,
            .init(name: "detailed-exitcode", help: "exit 0 when nothing differs, 2 when something does (changes or held deletions), 1 on error"),
            allowMassDelete, allowDelete, allowMassCreate, git, branch, path,
            .init(name: "out", value: "FILE.berth", help: "also save the plan to this file (0600, no secret values; also -out): `berth apply FILE.berth` applies exactly it"),
        ]),
        CommandInfo(name: "apply", summary: "make the targets match the specs, or carry out a saved plan (FILE.berth) exactly", words: .specNamesOrPlan, options: [
            parallel, allowMassDelete, allowDelete, allowMassCreate,
            .init(name: "yes", help: "do not ask before deletions (apply asks only when stdin is a terminal)"),
            .init(name: "wait", help: "wait for containers to run and be healthy, Swarm updates to converge and Kubernetes rollouts to complete; fail with the last health check's output, Swarm's or the condition's message when one turns unhealthy, rolls back, pauses or stalls"),
            .init(name: "timeout", value: "DURATION", help: "with --wait: give up after this long (default 5m)"),
            git, branch, path,
        ]),
        CommandInfo(name: "watch", summary: "keep the targets converged: file changes, engine events, resync", words: .none, options: [
            .init(name: "debounce", value: "DURATION", help: "quiet time before a burst of file changes is reconciled (default 100ms)"),
            .init(name: "resync", value: "DURATION", help: "full reconcile every so often, at least 1s (default 60s)"),
            .init(name: "delete-after", value: "DURATION", help: "delete a removed spec's resources only once its file has stayed gone this long; 0 deletes at once (default 5s)"),
            .init(name: "log-format", value: "FORMAT", help: "text (default) or json"),
            .init(name: "notify", value: "URL", help: "POST a JSON event to this http:// or https:// URL when the state changes: converged, failed, deletions-held, target-lost, target-back"),
            parallel, allowMassDelete, allowMassCreate, git, branch, path,
            .init(name: "interval", value: "DURATION", help: "with --git: fetch this often, at least 1s (default 60s); a webhook can ask sooner"),
            .init(name: "listen", value: "ADDRESS", help: "serve /healthz, /readyz, /status, /metrics and /hooks/git on 127.0.0.1:PORT, [::1]:PORT or unix:///PATH"),
            .init(name: "listen-public", help: "allow --listen on an address that is not loopback (no TLS: put a proxy in front)"),
            .init(name: "webhook-secret", value: "SECRET", help: "accept push webhooks signed with this secret (GitHub, Gitea) or carrying it (GitLab)"),
            .init(name: "webhook-secret-file", value: "PATH", help: "the same, read once from a file (one trailing newline trimmed)"),
        ]),
        CommandInfo(name: "down", summary: "delete what the owner has (or what the named specs made), whatever the specs say: workloads, then unused owner networks, then with --volumes the volumes; asks on a terminal",
                    words: .specNames, options: [
                        .init(name: "volumes", help: "also delete the volumes berth made (all of the owner's, or those the named specs mount); kept otherwise"),
                        .init(name: "yes", help: "do not ask; needed when stdin is not a terminal"),
                    ]),
        CommandInfo(name: "show", summary: "print a saved plan as plan printed it", words: .planFile, options: [json]),
        CommandInfo(name: "status", summary: "per spec: desired and observed replicas, config, last action and error", words: .none,
                    options: [json]),
        CommandInfo(name: "history", summary: "read the journal", words: .none, options: [
            json,
            .init(name: "name", value: "SPEC", help: "only records of this spec"),
            .init(name: "target", value: "TARGET", help: "only records of this target (docker, swarm, kubernetes, or a target of berth.json)"),
            .init(name: "limit", value: "N", help: "the last N records (default 50)"),
            .init(name: "revision", value: "HASH", help: "only records of passes that read this commit (a hash or its first hex digits)"),
        ]),
        CommandInfo(name: "release", summary: "carry out held deletions of these removed specs (also while watch runs)",
                    words: .specNames, options: [
                        .init(name: "all", help: "release every held deletion"),
                    ]),
        CommandInfo(name: "keys", summary: "init: make this installation's key pair for sealed secrets (state/keys/); show: print its public key and fingerprint",
                    words: .keysAction, options: []),
        CommandInfo(name: "seal", summary: "encrypt a secret value for a spec's env (read from stdin when VALUE is absent, so it stays out of shell history)",
                    words: .value, options: [
                        .init(name: "key", value: "PUBFILE", help: "seal for this public key (another installation's `berth keys show`) instead of this installation's"),
                    ]),
        CommandInfo(name: "suspend", summary: "leave these specs alone: no actions, no healing, no deletion, until resumed (also while watch runs)",
                    words: .specNames, options: []),
        CommandInfo(name: "resume", summary: "undo suspend: reconcile these specs again", words: .specNames, options: []),
        CommandInfo(name: "install-service", summary: "write a systemd unit that runs `berth watch` (Type=notify, watchdog, hardening), then daemon-reload and enable --now it when systemd runs",
                    words: .none, options: [
                        .init(name: "unit-dir", value: "DIR", help: "where the unit goes (default /etc/systemd/system)"),
                        .init(name: "no-enable", help: "only write the unit; do not run systemctl"),
                        .init(name: "force", help: "replace an existing berth.service that differs"),
                    ]),
        CommandInfo(name: "completion", summary: "print the shell completion script for bash, zsh or fish", words: .shell, options: []),
        CommandInfo(name: "manual", summary: "print the berth(1) manual page (roff; `make man` writes berth.1)", words: .none, options: []),
        CommandInfo(name: "import", summary: "write one spec file per service of a Compose file, reporting by line each key it cannot translate; writes nothing when the file has errors",
                    words: .importSource, options: [
                        .init(name: "out", value: "DIR", help: "the folder to write the spec files to (default: the specs folder)"),
                        .init(name: "force", help: "replace spec files that already exist (refused otherwise)"),
                    ]),
        CommandInfo(name: "logs", summary: "show the logs of a spec's containers or Swarm service, each line prefixed by its replica (web-1 | …)",
                    words: .specName, options: [
                        .init(name: "follow", help: "keep following new lines until interrupted (Ctrl-C); -f for short"),
                        .init(name: "replica", value: "N", help: "only this replica's logs"),
                        .init(name: "tail", value: "N", help: "only the last N lines of each replica (default: all)"),
                    ]),
        CommandInfo(name: "ps", summary: "list this owner's containers, Swarm services and Kubernetes objects, one line each, with state and health", words: .none,
                    options: [json]),
        CommandInfo(name: "help", summary: "show the commands, or one command's usage and options", words: .commandName, options: []),
        CommandInfo(name: "version", summary: "print berth's version, the commit it was built from and the API versions it speaks",
                    words: .none, options: []),
    ]

    public static let shells = ["bash", "zsh", "fish"]

    public static let globalOptions: [Arguments.Option] = [
        .init(name: "specs", value: "DIR", help: "folder of spec files (default: specs)"),
        .init(name: "state", value: "DIR", help: "state folder: journal, lock, records (default: state)"),
        .init(name: "owner", value: "NAME", help: "owner label value (default: the name of the folder holding the specs folder)"),
        .init(name: "docker-host", value: "URL", help: "engine address, unix://, tcp:// or https:// (default: $DOCKER_HOST, else unix:///var/run/docker.sock)"),
        .init(name: "kubeconfig", value: "FILE", help: "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)"),
        .init(name: "context", value: "NAME", help: "kubeconfig context (default: its current-context)"),
        .init(name: "kube-proxy", help: "reach Kubernetes through `kubectl proxy --unix-socket` run as a child"),
        .init(name: "config", value: "FILE", help: "targets file: named Docker hosts, Swarm clusters, Kubernetes contexts and groups (default: berth.json beside the specs folder, if there is one; with --git, none unless given)"),
        .init(name: "policy", value: "FILE", help: "operator's policy file, outside the specs folder: what specs may ask for (host paths, privileges, registries, namespaces, kinds)"),
        .init(name: "color", value: "WHEN", help: "colour the plan: auto (default: when stdout is a terminal, TERM is not dumb and NO_COLOR is unset), always or never"),
        .init(name: "help", help: "show the usage of berth or of the command"),
        .init(name: "version", help: "the same as `berth version`"),
    ]

    /// Every option any command takes, for the first pass of parsing.
    static var allOptions: [Arguments.Option] {
        var seen: Set<String> = []
        return (globalOptions + commands.flatMap(\.options)).filter { seen.insert($0.name).inserted }
    }

    public static func command(_ name: String) -> CommandInfo? { commands.first { $0.name == name } }

    /// Parses argv and checks it against the command's own options and words.
    public static func parse(_ argv: [String]) throws -> (CommandInfo?, Arguments) {
        let arguments = try Arguments.parse(argv, options: allOptions)
        guard let name = arguments.command else { return (nil, arguments) }
        guard let command = command(name) else {
            throw Arguments.usage("unknown command \"\(name)\"" + Arguments.suggestion(name, commands.map(\.name))
                + " (commands: \(commands.map(\.name).joined(separator: ", ")); see berth help)")
        }
        let own = Set((globalOptions + command.options).map(\.name))
        for option in arguments.given where !own.contains(option) {
            let owners = commands.filter { $0.options.contains { $0.name == option } }.map(\.name)
            throw Arguments.usage("--\(option) is not an option of \(name) (it belongs to \(owners.joined(separator: ", ")))"
                + "; see berth help \(name)")
        }
        switch command.words {
        case .none:
            if let word = arguments.positionals.first {
                throw Arguments.usage("\(name) takes no arguments, got \"\(word)\"; see berth help \(name)")
            }
        case .commandName:
            if arguments.positionals.count > 1 { throw Arguments.usage("help takes at most one command name") }
        case .specNames: break
        case .specNamesOrPlan:
            let plans = arguments.positionals.filter { $0.hasSuffix(SavedPlan.fileSuffix) }
            if !plans.isEmpty, arguments.positionals.count > 1 {
                throw Arguments.usage("apply takes spec names or one saved plan file, not both (\(arguments.positionals.joined(separator: " ")))")
            }
            let fixed = ["allow-delete", "allow-mass-delete", "allow-mass-create", "yes"].filter { arguments.given.contains($0) }
            if !plans.isEmpty, let option = fixed.first {
                throw Arguments.usage("--\(option) does not go with a saved plan: what it applies was fixed when it was made (make it again with the option: berth plan --\(option) ... -out \(plans[0]))")
            }
        case .planFile:
            guard arguments.positionals.count == 1, arguments.positionals[0].hasSuffix(SavedPlan.fileSuffix) else {
                throw Arguments.usage("\(name) takes one saved plan file, FILE.berth (made by berth plan -out FILE.berth)")
            }
        case .keysAction:
            guard arguments.positionals.count == 1, ["init", "show"].contains(arguments.positionals[0]) else {
                throw Arguments.usage("keys takes one action, init or show" + (arguments.positionals.first.map { ", got \"\($0)\"" } ?? ""))
            }
        case .shell:
            guard arguments.positionals.count == 1, shells.contains(arguments.positionals[0]) else {
                throw Arguments.usage("completion takes one shell, \(shells.joined(separator: ", "))"
                    + (arguments.positionals.first.map { ", got \"\($0)\"" } ?? ""))
            }
        case .value:
            if arguments.positionals.count > 1 {
                throw Arguments.usage("seal takes at most one value (quote it, or better pipe it on stdin)")
            }
        case .importSource:
            guard arguments.positionals.count == 2, arguments.positionals[0] == "compose" else {
                throw Arguments.usage("import takes the format and a file: berth import compose docker-compose.yml")
            }
        case .specName:
            guard arguments.positionals.count == 1 else {
                throw Arguments.usage("\(name) takes one spec name" + (arguments.positionals.isEmpty ? "" : ", got \(arguments.positionals.count)"))
            }
        }
        return (command, arguments)
    }

    public static func overview() -> String {
        var lines = ["usage: berth COMMAND [options]", "", "commands:"]
        let width = commands.map(\.name.count).max()!
        for c in commands { lines.append("  " + c.name.paddedWithSpaces(to: width + 2) + c.summary) }
        lines += ["", "global options (before or after the command):"]
        lines += optionLines(globalOptions)
        lines += ["", "`berth help COMMAND` or `berth COMMAND --help` shows a command's options."]
        return lines.joined(separator: "\n")
    }

    public static func help(_ c: CommandInfo) -> String {
        var lines = ["usage: \(c.synopsis)", "", c.summary]
        if c.name == "down" {
            lines.append("SPEC names restrict it to what those specs made (all of the owner's when none is given).")
        } else if [.specNames, .specNamesOrPlan].contains(c.words), !["release", "suspend", "resume"].contains(c.name) {
            lines.append("SPEC names restrict the command to those specs and the images they need (all specs when none is given).")
        }
        if c.words == .specNamesOrPlan {
            lines.append("FILE.berth (made by `berth plan -out FILE.berth`) applies exactly that plan, or nothing if the specs or the engine moved since.")
        }
        if !c.options.isEmpty { lines += ["", "options:"] + optionLines(c.options) }
        lines += ["", "global options: " + globalOptions.map { "--\($0.name)" }.joined(separator: ", ") + " (see berth help)"]
        return lines.joined(separator: "\n")
    }

    static func optionLines(_ options: [Arguments.Option]) -> [String] {
        let labels = options.map { "--\($0.name)" + ($0.value.map { " \($0)" } ?? "") }
        let width = labels.map(\.count).max() ?? 0
        return zip(labels, options).map { "  " + $0.paddedWithSpaces(to: width + 2) + $1.help }
    }

    /// The README's "Command reference" section, word for word (a test keeps the two equal).
    public static func markdownReference() -> String {
        var lines = ["```"]
        lines += commands.map(\.synopsis)
        lines += ["```", "", "| command | option | meaning |", "| --- | --- | --- |"]
        for c in commands {
            lines.append("| `\(c.name)` | | \(c.summary) |")
            for o in c.options {
                lines.append("| | `--\(o.name)\(o.value.map { " \($0)" } ?? "")` | \(o.help.replacingAll("|", with: "\\|")) |")
            }
        }
        lines.append("| (any) | | global options: |")
        for o in globalOptions {
            lines.append("| | `--\(o.name)\(o.value.map { " \($0)" } ?? "")` | \(o.help.replacingAll("|", with: "\\|")) |")
        }
        return lines.joined(separator: "\n")
    }
}
