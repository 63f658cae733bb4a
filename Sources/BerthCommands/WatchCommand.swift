import BerthDocker
import BerthEngine
import BerthHTTP
import BerthJournal
import BerthModel
import BerthSource
import BerthSystem
import FoundationEssentials
import Synchronization

/// `berth watch`: keeps the engine converged. inotify on the specs folder (debounced), the
/// engine's event stream, a periodic resync and SIGHUP all enqueue work; SIGTERM/SIGINT stop
/// it cleanly. It never exits because the engine went away.
enum WatchCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) async -> Int32 {
        // Before watch's threads first allocate: one heap for all of them, that an idle watch
        // can trim (IdleRelease). Freed memory otherwise stays in up to 8 arenas per core.
        MemoryRelease.useOneArena()
        let state: StateFolder
        let log: Logger
        let debounce: Duration, resync: Duration, deleteAfter: Duration, parallel: Int
        let notify: NotifyReceiver?
        let listenerOptions: WatchListenerOptions?
        do {
            log = Logger(format: try format(arguments), console: console)
            debounce = try Durations.parse(arguments.values["debounce"] ?? "100ms", option: "debounce")
            resync = try Durations.parse(arguments.values["resync"] ?? "60s", option: "resync")
            deleteAfter = try Durations.parse(arguments.values["delete-after"] ?? "5s", option: "delete-after")
            parallel = try arguments.int("parallel", default: 8, range: 1...256)
            guard resync >= .seconds(1) else { throw BerthError(.usage, "--resync must be at least 1s") }
            notify = try arguments.values["notify"].map(NotifyReceiver.init(parsing:))
            listenerOptions = try WatchListenerOptions.parse(arguments)
            if settings.gitSource == nil { try SpecFolder.requireFolder(settings.specsDirectory) }
            state = try StateFolder.open(settings, purpose: "watch", notice: { log($0) })
        } catch {
            console.err("berth: \(error)")
            return 1
        }
        defer { state.lock.release() }
        let journal = state.journal
        let signals = Signals()
        let watcher: SpecFolderWatcher?
        let secretKey: [UInt8]
        let registry = TargetRegistry.build(settings, progress: { [owner = settings.owner] target, line in
            log("image: " + (target.isImplicit ? "" : "\(target): ") + line)
            Task { _ = try? await journal.append(JournalRecord(event: "image", owner: owner, target: target.isImplicit ? nil : target.rawValue, message: line)) }
        }, onProxyExit: { log($0) })
        do {
            // With --git, new revisions arrive by fetching; the checkout is berth's own, not watched.
            watcher = settings.gitSource == nil ? try SpecFolderWatcher(root: settings.specsDirectory) : nil
            secretKey = try FingerprintKey.load(stateDirectory: settings.stateDirectory)
        } catch {
            console.err("berth: \(error)")
            return 1
        }
        FileDigestCache.shared.persist(at: settings.digestCachePath)
        let specs = settings.specsDirectory, store = settings.stateDirectory + "/last-valid"
        let source = settings.gitSource.map {
            GitSource(options: $0, root: settings.gitDirectory, owner: settings.owner, policy: settings.policy, stateDirectory: settings.stateDirectory, journal: journal, log: { log($0) }, catalog: settings.catalog)
        }
        let local = LocalRevision(directory: specs)
        let missingBinds = MissingBindSources(), localTargets = BindSources.localTargets(settings)
        var configuration = Controller.Configuration(owner: settings.owner, allowMassDelete: arguments.flags.contains("allow-mass-delete"),
                                                     parallel: parallel, secretKey: secretKey)
        configuration.allowMassCreate = arguments.flags.contains("allow-mass-create")
        configuration.deleteAfter = deleteAfter
        let controller = Controller(
            configuration: configuration,
            platforms: registry.platforms, journal: journal,
            load: {
                var desired = WatchCommand.load(source: source, local: local, specs: specs, store: store, settings: settings, journal: journal)
                missingBinds.set(BindSources.check(&desired, local: localTargets))
                // Read on every pass: `berth suspend` while watch runs counts at the next pass.
                desired.suspended = SuspendStore.load(settings)
                return desired
            },
            knownConfigs: { [configsPath = settings.configsPath] in ConfigStore.load(configsPath) },
            heldDeletions: { HeldStore.load(settings) },
            onPlanned: { plan, desired, observed, observedTargets in
                // As apply does: every later replace can name the fields that changed.
                let inUse = Set(observed.compactMap(\.configHash))
                do {
                    try ConfigStore.save(settings.configsPath, previous: ConfigStore.load(settings.configsPath), desired: desired.specs, inUse: inUse, key: secretKey)
                    try HeldStore.record(plan, observedTargets: observedTargets, settings: settings)
                } catch {
                    log("cannot write the state folder: \(error)")
                }
            },
            targetsMade: { TargetsStore.load(settings) },
            recordTargetsMade: { TargetsStore.save($0, settings) },
            log: { log($0) })
        let health = WatchHealth()
        await controller.setStatusHandler { [statusPath = settings.stateDirectory + "/status.json"] report in
            StatusFile.write(report, to: statusPath)
            health.record(report)
        }
        // The revision in force: the commit of the last pass's specs (git, or a local work tree).
        let observers = await WatchObservers.attach(to: controller, owner: settings.owner, notify: notify,
                                                    revision: { journal.currentRevision?.hash }, log: { log($0) })
        var listener: HTTPListener?
        if let listenerOptions {
            let trigger: any FetchTrigger = source ?? ResyncTrigger(controller: controller, log: { log($0) })
            do {
                listener = try listenerOptions.start(owner: settings.owner, health: health, trigger: trigger,
                                                     metrics: { [metrics = observers.metrics] in metrics.render() },
                                                     journal: journal, log: { log($0) })
            } catch {
                console.err("berth: \(error)")
                watcher?.stop()
                await registry.stop()
                await journal.close()
                return 1
            }
        }
        if let source {
            // The first fetch before the first pass, so that it reads the branch as it is now.
            await source.restore()
            await source.sync()
        }
        let initial = (try? LastValidSpecs.load(specs: source?.specsInForce()?.directory ?? specs, store: store, catalog: settings.catalog)) ?? DesiredState(specs: [])
        let startContact = Observation.contact(desired: initial, made: TargetsStore.load(settings))
        let targets = registry.describe(startContact)
        let from = settings.gitSource.map { "git \($0.shownURL) branch \($0.branch)" + ($0.path.isEmpty ? "" : " path \($0.path)") + ", fetch every \(Controller.seconds($0.interval))" }
            ?? "specs \(specs)"
        _ = try? await journal.append(JournalRecord(event: "watch-start", owner: settings.owner, message: "\(from), \(targets)"))
        log("berth watch: owner \(settings.owner), \(from), \(targets), resync every \(Controller.seconds(resync))"
            + (notify.map { ", notifying \($0.masked)" } ?? ""))

        let debouncer = Debouncer(quiet: debounce)
        await controller.enqueue(Controller.everything)
        var background = [
            Task {
                guard let watcher else { return }
                for await change in watcher.changes {
                    if case .unwatched(let why) = change { log("berth: \(why)") }
                    await debouncer.signal()
                }
            },
            Task {
                for await _ in debouncer.fired {
                    log("specs changed: reconciling")
                    await controller.enqueue(Controller.everything)
                }
            },

            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: resync)
                    await controller.enqueue(Controller.everything)
                }
            },
            Task {
                // A missing bind source made its file invalid; it being made is no spec change.
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    if missingBinds.appeared() {
                        log("a missing bind source exists now: reconciling")
                        await controller.enqueue(Controller.everything)
                    }
                }
            },
        ]
        // One event stream per target that has one, each reconnecting on its own.
        for platform in registry.platforms {
            guard let events = platform as? any EventSource else { continue }
            background.append(Task { await EngineEvents.follow(events, target: platform.target, inUseAtStart: startContact.contains(platform.target),
                                                               owner: settings.owner, controller: controller, log: { log($0) }) })
        }
        if let source, let interval = settings.gitSource?.interval {
            background.append(Task { await WatchCommand.follow(source, every: interval, controller: controller) })
        }
        let workers = Task { await controller.runWorkers() }
        for await signal in signals.received {
            if signal == .hangup {
                log("SIGHUP: full resync")
                await controller.enqueue(Controller.everything)
                continue
            }
            log("stopping (\(signal == .terminate ? "SIGTERM" : "SIGINT")): finishing work in flight")
            observers.stopping()
            break
        }
        listener?.stop()
        watcher?.stop()
        await debouncer.finish()
        for task in background { task.cancel() }
        await controller.queue.shutDown()
        // In-flight engine calls get a bounded time; then berth exits anyway.
        if await !WatchCommand.finishes(workers, within: .seconds(15)) {
            workers.cancel()
            log("abandoned work still in flight after 15s")
        }
        observers.stop()
        await registry.stop()
        _ = try? await journal.append(JournalRecord(event: "watch-stop", owner: settings.owner))
        await journal.close()
        log("stopped")
        return 0
    }

    /// Whether `task` ends within `limit`. Not a task group: leaving one awaits every child, so
    /// a child awaiting a task that ignores cancellation (a build on the wire) would hold the
    /// stop for as long as that task runs.
    static func finishes(_ task: Task<Void, Never>, within limit: Duration) async -> Bool {
        let first = FirstAnswer()
        return await withCheckedContinuation { continuation in
            first.arm(continuation)
            Task { await task.value; first.answer(true) }
            Task { try? await Task.sleep(for: limit); first.answer(false) }
        }
    }

    /// The specs of one pass: the revision in force (--git) or the folder, with the journal
    /// stamping that pass's records with the commit they came from.
    static func load(source: GitSource?, local: LocalRevision, specs: String, store: String, settings: Settings, journal: Journal) -> DesiredState {
        var directory = specs
        if let source {
            guard let inForce = source.specsInForce() else {
                journal.setRevision(nil)
                // No good revision yet: nothing to apply, and nothing berth made is deleted.
                return DesiredState(specs: [], errors: [], invalidFiles: ["\(source.options.shownURL) (no valid revision fetched yet)"], fileCount: 0)
            }
            journal.setRevision(inForce.revision)
            directory = inForce.directory
        } else {
            journal.setRevision(local.current())
        }
        return (try? LastValidSpecs.load(specs: directory, store: store, policy: settings.policy, catalog: settings.catalog))
            ?? DesiredState(specs: [], errors: [], invalidFiles: ["\(directory) (unreadable)"], fileCount: 0)
    }

    /// Fetches every `interval` and whenever asked (`fetchNow`); a new revision in force
    /// reconciles everything, as SIGHUP does.
    static func follow(_ source: GitSource, every interval: Duration, controller: Controller) async {
        while !Task.isCancelled {
            await source.waitForNextFetch(interval)
            if Task.isCancelled { return }
            if await source.sync() == .newRevision { await controller.enqueue(Controller.everything) }
        }
    }

    static func format(_ arguments: Arguments) throws -> Logger.Format {
        let text = arguments.values["log-format"] ?? "text"
        guard let format = Logger.Format(rawValue: text) else {
            throw BerthError(.usage, "--log-format is text or json, got \"\(text)\"")
        }
        return format
    }
}

/// Follows the engine's event stream for as long as berth watches; reconnects with backoff
/// and asks for a full reconcile whenever the stream (re)connects (events may have been missed).
enum EngineEvents {
    /// 2 s, 4 s, 8 s, 16 s, then every 30 s.
    static let reconnect = RetryPolicy(base: .seconds(2), cap: .seconds(30))

    static func follow(_ source: any EventSource, target: TargetName, inUseAtStart: Bool, owner: String, controller: Controller,
                       log: @escaping @Sendable (String) -> Void) async {
        var failures = 0
        while !Task.isCancelled {
            // A target no spec uses (and holding nothing of berth's) is not contacted; the
            // controller's passes say when that changes. An in-memory check, no engine traffic.
            // A target in use from the start is followed at once, before the first pass
            // creates anything, so no early death goes unheard.
            if !inUseAtStart, await !controller.isContacted(target) {
                try? await Task.sleep(for: .milliseconds(500))
                continue
            }
            do {
                let stream = try await source.events(owner: owner)
                // Whatever happened before the subscription took hold was not seen: look now.
                await controller.enqueue(Controller.everything)
                failures = 0
                for try await event in stream {
                    let key = event.target.qualifying(event.name)
                    await controller.enqueue(key)
                    // The engine announces a death before its container list shows it: look again shortly.
                    if ["die", "kill", "stop", "oom", "destroy"].contains(event.action) {
                        Task {
                            for delay in [50, 200, 750, 2000, 5000] {
                                try? await Task.sleep(for: .milliseconds(delay))
                                await controller.enqueue(key)
                            }
                        }
                    }
                }
            } catch {
                // berth is stopping: the stream ended because it was cancelled, nothing was lost.
                if Task.isCancelled { return }
                failures += 1
                if failures == 1 { log((target.isImplicit ? "engine" : "target \(target)") + " event stream lost: \(error); reconnecting") }
                // The controller notices the engine is gone on its next observe and says so once.
                await controller.enqueue(Controller.everything)
            }
            let wait = reconnect.delay(after: max(failures, 1), random: 1)
            try? await Task.sleep(for: failures == 0 ? .milliseconds(100) : wait)
        }
    }
}

/// Resumes a continuation once, with the first of several answers.
final class FirstAnswer: Sendable {
    private let continuation = Mutex<CheckedContinuation<Bool, Never>?>(nil)
    func arm(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation.withLock { $0 = continuation } }
    func answer(_ value: Bool) { continuation.withLock { $0.take() }?.resume(returning: value) }
}
