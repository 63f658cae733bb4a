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
                                   journal: nil, log: { console.err("berth: \($0)") })
            guard let inForce = await GitSource.fetchForOnePass(source, console: console) else { return ExitCode.failure }
            settings.specsDirectory = inForce.directory
            console.err("berth: planning commit \(inForce.revision.hash.prefix(12)) (\(inForce.revision.subject ?? "")) of \(options.shownURL)")
        }
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
