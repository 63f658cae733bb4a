import BerthModel

enum PlanCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) async -> Int32 {
        let kube = KubePlatform(settings: settings)
        let code = await run(settings: settings, arguments: arguments, console: console, kube: kube)
        await kube.stop()
        return code
    }

    static func run(settings: Settings, arguments: Arguments, console: Console, kube: KubePlatform) async -> Int32 {
        let detailed = arguments.flags.contains("detailed-exitcode")
        do {
            let reconcile = try await Reconcile.prepare(settings: settings, kube: kube)
            let choices = Reconcile.Choices(arguments)
            do { try reconcile.unknownNames(choices) } catch {
                console.err("berth: \(error)")
                return ExitCode.usage
            }
            let plan = await kube.dryRun(reconcile.plan(choices))
            for error in reconcile.targetErrors { console.err("berth: \(error)") }
            for warning in reconcile.desired.warnings { console.err(warning.description) }
            if arguments.flags.contains("json") {
                console.out(plan.json.serialized())
            } else {
                for error in plan.errors { console.err(error.description) }
                console.out(plan.description)
            }
            return exitCode(plan, targetErrors: reconcile.targetErrors, detailed: detailed)
        } catch {
            console.err("berth: \(error)")
            return ExitCode.failure
        }
    }

    /// Errors and unplanned targets are failures; with --detailed-exitcode, held deletions are a
    /// difference between the specs and the engine just as changes are.
    static func exitCode(_ plan: Plan, targetErrors: [String], detailed: Bool) -> Int32 {
        if !plan.errors.isEmpty || !targetErrors.isEmpty || !plan.unplannedTargets.isEmpty { return ExitCode.failure }
        return detailed && !(plan.actions.isEmpty && plan.held.isEmpty) ? ExitCode.changes : ExitCode.ok
    }
}
