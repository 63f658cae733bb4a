import BerthEngine
import BerthJournal
import BerthModel
import BerthSource
import BerthSystem

/// `berth down [NAME…] [--volumes] [--yes]`: deletes what the owner has (or what the named
/// specs made), whatever the specs say: workloads first, then the owner's networks nothing
/// uses any more, then, with --volumes, the volumes. It asks on a terminal, as apply asks
/// before deletions; without one it needs --yes.
enum DownCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) async -> Int32 {
        let yes = arguments.flags.contains("yes")
        guard yes || console.inputIsTerminal else {
            console.err("berth: down deletes what owner \(settings.owner) has, and there is no terminal to ask: pass --yes to delete without asking")
            return ExitCode.usage
        }
        let state: StateFolder
        do { state = try StateFolder.open(settings, purpose: "down", notice: { console.err("berth: \($0)") }) } catch {
            console.err("berth: \(error)")
            return ExitCode.failure
        }
        defer { state.lock.release() }
        let registry = TargetRegistry.build(settings)
        let code = await down(settings: settings, arguments: arguments, console: console, registry: registry, journal: state.journal)
        await registry.stop()
        console.endStatus()
        return code
    }

    static func down(settings: Settings, arguments: Arguments, console: Console, registry: TargetRegistry, journal: Journal) async -> Int32 {
        let names = arguments.positionals.isEmpty ? nil : Set(arguments.positionals.map { SpecName($0) })
        // The specs only say which volumes the named specs mount; down works without them.
        let specs = FileSystem.isDirectory(settings.specsDirectory)
            ? ((try? SpecFolder.load(settings.specsDirectory, catalog: settings.catalog, finishing: .none))?.specs ?? []) : []
        let made = TargetsStore.load(settings)
        let observation = await Observation.run(platforms: registry.platforms, owner: settings.owner, desired: DesiredState(specs: []),
                                                contact: made.union(specs.map(\.target)), retry: RetryPolicy())
        let lines = observation.failures.map { TargetErrors.line($0.target, $0.error, settings: settings) }
        for line in lines { console.err("berth: \(line)", style: .red) }
        if !observation.failures.isEmpty && observation.failures.count == observation.attempted.count { return ExitCode.failure }
        let observed = observation.observed
        if let names {
            let known = Set(specs.map(\.name)).union(observed.filter { !$0.isVolume }.compactMap(\.name))
            for name in names.sorted() where !known.contains(name) {
                console.err("berth: no spec or managed resource is named \"\(name)\"" + Arguments.suggestion(name.rawValue, known.sorted().map(\.rawValue)))
                return ExitCode.usage
            }
        }
        let stages = await plan(settings: settings, registry: registry, observation: observation, specs: specs, names: names,
                                volumes: arguments.flags.contains("volumes"))
        let all = Plan(actions: stages.flatMap { $0 })
        guard !all.actions.isEmpty else {
            console.out("Nothing to delete: owner \(settings.owner) has nothing" + (names.map { " of \($0.sorted().map(\.rawValue).joined(separator: ", "))" } ?? "") + " berth manages.")
            return lines.isEmpty ? ExitCode.ok : ExitCode.failure
        }
        console.outPlan(all.description)
        if !Confirmation.approved(all, arguments: arguments, console: console) {
            console.out("Down cancelled: nothing was deleted.")
            return ExitCode.failure
        }
        for kube in registry.kubes where all.actions.contains(where: { $0.key.target == kube.target }) {
            do { try await kube.takeLease(owner: settings.owner) } catch {
                console.err("berth: nothing deleted: \(error)")
                return ExitCode.failure
            }
        }
        let progress = Progress(total: all.actions.count)
        let executor = Executor(platforms: registry.platforms, journal: journal,
                                onEvent: { ApplyCommand.show($0, progress: progress, console: console) })
        var failed = 0, done = 0
        for stage in stages where !stage.isEmpty {
            let outcomes = await executor.execute(Plan(actions: stage), owner: settings.owner)
            done += outcomes.filter(\.succeeded).count
            failed += outcomes.filter { !$0.succeeded }.count
        }
        let after = observation.made(previously: made)
        if after != made { TargetsStore.save(after, settings) }
        console.out("Down: \(done) deleted, \(failed) failed.")
        _ = try? await journal.append(JournalRecord(event: "down", owner: settings.owner, message: failed == 0 ? "done" : "\(failed) failed",
                                                    count: all.actions.count))
        return failed == 0 && lines.isEmpty ? ExitCode.ok : ExitCode.failure
    }

    /// The deletions, stage by stage: workloads, networks, volumes. Workloads are the
    /// planner's own deletions of removed specs (every platform's, Kubernetes objects
    /// included), as if every spec were gone, with nothing held and nothing released.
    static func plan(settings: Settings, registry: TargetRegistry, observation: Observation, specs: [Spec], names: Set<SpecName>?,
                     volumes: Bool) async -> [[Action]] {
        let failed = Set(observation.failures.map(\.target))
        var context = await registry.platforms.planContext(PlanContext(owner: settings.owner, allowMassDelete: true),
                                                           observed: observation.attempted.subtracting(failed))
        context.selection = names
        context.allowMassCreate = true
        let planned = Planner.plan(desired: DesiredState(specs: []), observed: observation.observed, context: context)
        let workloads = planned.actions.filter { !$0.key.isVolumeKey && $0.key.kind != NetworkNames.kind }.compactMap { action -> Action? in
            // `"prune": false` keeps a container when its spec goes; down deletes it all the same.
            guard action.op == .delete || action.op == .release else { return nil }
            var delete = action
            delete.op = .delete
            delete.reason = "berth down"
            return delete
        }
        // With every spec gone, the planner deletes each network of the owner's (the owner's
        // own and those specs listed): after the workloads, so no container is left on one.
        // `down NAME` keeps them: other specs may still use them.
        let networks: [Action] = names != nil ? [] : planned.actions.filter { $0.key.kind == NetworkNames.kind && $0.op == .delete }.map { action -> Action in
            var delete = action
            delete.reason = "berth down"
            return delete
        }
        let volumes = volumes ? VolumePlanner.deleteAll(observed: observation.observed, specs: specs, names: names) : []
        return [workloads, networks, volumes]
    }
}

extension ResourceKey {
    var isVolumeKey: Bool { kind == ObservedResource.volumeKind }
}
