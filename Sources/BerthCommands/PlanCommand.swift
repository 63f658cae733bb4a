import BerthSystem
import FoundationEssentials
import Glibc
import BerthModel

enum PlanCommand {
    static func run(settings given: Settings, arguments: Arguments, console: Console) async -> Int32 {
        var settings = given
        var scratch: String?
        defer { if let scratch { try? FileManager.default.removeItem(atPath: scratch) } }
        if let options = settings.gitSource {
            // plan changes nothing, the state folder included: the clone goes to a scratch folder.
            let template = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp") + "/berth-plan-git-XXXXXX"
            var bytes = Array(template.utf8CString)
            guard mkdtemp(&bytes) != nil else {
                console.err("berth: cannot make a scratch folder for the clone: \(SystemError.current("create directory", path: template))")
                return ExitCode.failure
            }
            let folder = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            scratch = folder
            let source = GitSource(options: options, root: folder + "/git", owner: settings.owner, policy: settings.policy, stateDirectory: settings.stateDirectory,
                                   journal: nil, log: { console.err("berth: \($0)") }, catalog: settings.catalog)
            guard let inForce = await GitSource.fetchForOnePass(source, console: console) else { return ExitCode.failure }
            settings.specsDirectory = inForce.directory
            console.err("berth: planning commit \(inForce.revision.hash.prefix(12)) (\(inForce.revision.subject ?? "")) of \(options.shownURL)")
        }
        let registry = TargetRegistry.build(settings)
        let code = await run(settings: settings, arguments: arguments, console: console, registry: registry)
        await registry.stop()
        return code
    }

    static func run(settings: Settings, arguments: Arguments, console: Console, registry: TargetRegistry) async -> Int32 {
        let detailed = arguments.flags.contains("detailed-exitcode")
        do {
            let reconcile = try await Reconcile.prepare(settings: settings, registry: registry)
            let choices = Reconcile.Choices(arguments)
            do { try reconcile.unknownNames(choices) } catch {
                console.err("berth: \(error)")
                return ExitCode.usage
            }
            let derived = reconcile.plan(choices)
            var plan = derived
            for kube in registry.kubes { plan = await kube.dryRun(plan) }
            for error in reconcile.targetErrors { console.err("berth: \(error)", style: .red) }
            for warning in reconcile.desired.warnings { console.err(warning.description) }
            if arguments.flags.contains("json") {
                console.out(plan.json.serialized())
            } else {
                for error in plan.errors { console.err(error.description, style: .red) }
                console.outPlan(plan.description)
            }
            if let out = arguments.values["out"] {
                // The state folder's fingerprint key when it has one; else a key of this plan's own.
                let stored = try FingerprintKey.stored(stateDirectory: settings.stateDirectory)
                let key = stored ?? reconcile.context.secretKey
                let saved = SavedPlan(shown: plan, derived: derived, reconcile: reconcile, choices: choices, settings: settings,
                                      key: key, keyInFile: stored == nil)
                do { try saved.write(to: out) } catch {
                    console.err("berth: the plan was not saved: \(error)")
                    return ExitCode.failure
                }
                if !arguments.flags.contains("json") {
                    console.out("Saved the plan to \(out). To carry out exactly these actions: berth apply \(out)")
                }
            }
            return exitCode(plan, targetErrors: reconcile.targetErrors, detailed: detailed)
        } catch {
            console.err("berth: \(error)")
            return ExitCode.failure
        }
    }

    /// Errors are failures, a target left out is `skipped`; with --detailed-exitcode, held
    /// deletions are a difference between the specs and the engine just as changes are.
    static func exitCode(_ plan: Plan, targetErrors: [String], detailed: Bool) -> Int32 {
        if !plan.errors.isEmpty { return ExitCode.failure }
        if !targetErrors.isEmpty || !plan.unplannedTargets.isEmpty { return plan.anyTargetObserved ? ExitCode.skipped : ExitCode.failure }
        return detailed && !(plan.actions.isEmpty && plan.held.isEmpty) ? ExitCode.changes : ExitCode.ok
    }
}
