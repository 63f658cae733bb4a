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
            let plan = reconcile.plan(allowMassDelete: arguments.flags.contains("allow-mass-delete"),
                                      allowMassCreate: arguments.flags.contains("allow-mass-create"))
            for error in reconcile.targetErrors { console.err("berth: \(error)") }
            for warning in reconcile.desired.warnings { console.err(warning.description) }
            if arguments.flags.contains("json") {
                console.out(plan.json.serialized())
            } else {
                for error in plan.errors { console.err(error.description) }
                console.out(plan.description)
            }
            if !plan.errors.isEmpty || !reconcile.targetErrors.isEmpty { return 1 }
            return detailed && !plan.isEmpty ? 2 : 0
        } catch {
            console.err("berth: \(error)")
            return 1
        }
    }
}
