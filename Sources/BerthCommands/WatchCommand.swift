import BerthDocker
import BerthEngine
import BerthJournal
import BerthModel
import BerthSystem
import Foundation
import Synchronization

/// `berth watch`: keeps the engine converged. inotify on the specs folder (debounced), the
/// engine's event stream, a periodic resync and SIGHUP all enqueue work; SIGTERM/SIGINT stop
/// it cleanly. It never exits because the engine went away.
enum WatchCommand {
    static func run(settings: Settings, arguments: Arguments, console: Console) async -> Int32 {
        let state: StateFolder
        let log: Logger
        let debounce: Duration, resync: Duration, parallel: Int
        let notify: NotifyReceiver?
        do {
            log = Logger(format: try format(arguments), console: console)
            debounce = try Durations.parse(arguments.values["debounce"] ?? "100ms", option: "debounce")
            resync = try Durations.parse(arguments.values["resync"] ?? "60s", option: "resync")
            parallel = try arguments.int("parallel", default: 8, range: 1...256)
            guard resync >= .seconds(1) else { throw BerthError(.usage, "--resync must be at least 1s") }
            notify = try arguments.values["notify"].map(NotifyReceiver.init(parsing:))
            try SpecFolder.requireFolder(settings.specsDirectory)
            state = try StateFolder.open(settings, purpose: "watch")
        } catch {
            console.err("berth: \(error)")
            return 1
        }
        defer { state.lock.release() }
        let journal = state.journal
        let signals = Signals()
        let docker: DockerContainerAdapter
        let swarm: DockerSwarmAdapter
        let watcher: SpecFolderWatcher
        let secretKey: [UInt8]
        let kube = KubePlatform(settings: settings, onProxyExit: { log($0) })
        do {
            let client = DockerClient(endpoint: try settings.endpoint(), timeout: settings.engineTimeout)
            let images = ImagePreparer(client: client, progress: { [owner = settings.owner] line in
                log("image: \(line)")
                Task { _ = try? await journal.append(JournalRecord(event: "image", owner: owner, message: line)) }
            })
            docker = DockerContainerAdapter(client: client, images: images)
            swarm = DockerSwarmAdapter(client: client, images: images, records: SwarmSentRecords(path: settings.swarmSentPath))
            watcher = try SpecFolderWatcher(root: settings.specsDirectory)
            secretKey = try FingerprintKey.load(stateDirectory: settings.stateDirectory)
        } catch {
            console.err("berth: \(error)")
            return 1
        }
        FileDigestCache.shared.persist(at: settings.digestCachePath)
        let specs = settings.specsDirectory, store = settings.stateDirectory + "/last-valid"
        var configuration = Controller.Configuration(owner: settings.owner, allowMassDelete: arguments.flags.contains("allow-mass-delete"),
                                                     parallel: parallel, secretKey: secretKey)
        configuration.allowMassCreate = arguments.flags.contains("allow-mass-create")
        let controller = Controller(
            configuration: configuration,
            platforms: [docker, swarm, kube], journal: journal,
            load: {
                var desired = (try? LastValidSpecs.load(specs: specs, store: store, policy: settings.policy))
                    ?? DesiredState(specs: [], errors: [], invalidFiles: ["\(specs) (unreadable)"], fileCount: 0)
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
        await controller.setStatusHandler { [statusPath = settings.stateDirectory + "/status.json"] report in
            StatusFile.write(report, to: statusPath)
        }
        // The revision in force: none yet for a plain specs folder.
        let observers = await WatchObservers.attach(to: controller, owner: settings.owner, notify: notify, revision: { nil }, log: { log($0) })
        let initial = (try? LastValidSpecs.load(specs: specs, store: store)) ?? DesiredState(specs: [])
        let startContact = Observation.contact(desired: initial, made: TargetsStore.load(settings))
        let targets = WatchCommand.describeTargets(startContact, settings)
        _ = try? await journal.append(JournalRecord(event: "watch-start", owner: settings.owner, message: "specs \(specs), \(targets)"))
        log("berth watch: owner \(settings.owner), specs \(specs), \(targets), resync every \(Controller.seconds(resync))"
            + (notify.map { ", notifying \($0.masked)" } ?? ""))

        let debouncer = Debouncer(quiet: debounce)
        await controller.enqueue(Controller.everything)
        let background = [
            Task {
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
            Task { await EngineEvents.follow(docker, target: "docker", inUseAtStart: startContact.contains("docker"), owner: settings.owner,
                                             controller: controller, log: { log($0) }) },
            Task { await EngineEvents.follow(swarm, target: "swarm", inUseAtStart: startContact.contains("swarm"), owner: settings.owner,
                                             controller: controller, log: { log($0) }) },
            Task { await EngineEvents.follow(kube, target: "kubernetes", inUseAtStart: startContact.contains("kubernetes"), owner: settings.owner,
                                             controller: controller, log: { log($0) }) },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: resync)
                    await controller.enqueue(Controller.everything)
                }
            },
        ]
        let workers = Task { await controller.runWorkers() }
        for await signal in signals.received {
            if signal == .hangup {
                log("SIGHUP: full resync")
                await controller.enqueue(Controller.everything)
                continue
            }
            log("stopping (\(signal == .terminate ? "SIGTERM" : "SIGINT")): finishing work in flight")
            break
        }
        watcher.stop()
        await debouncer.finish()
        for task in background { task.cancel() }
        await controller.queue.shutDown()
        // In-flight engine calls get a bounded time; then berth exits anyway.
        if await !WatchCommand.finishes(workers, within: .seconds(15)) {
            workers.cancel()
            log("abandoned work still in flight after 15s")
        }
        observers.stop()
        await kube.stop()
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

    /// "targets docker (engine unix:///…), kubernetes (context prod)" or "no target in use yet".
    static func describeTargets(_ targets: Set<String>, _ settings: Settings) -> String {
        let named = targets.sorted().map { target -> String in
            switch target {
            case "docker", "swarm": "\(target) (engine \(settings.dockerHost))"
            case "kubernetes": "kubernetes (" + (settings.kubeContext.map { "context \($0)" } ?? "the kubeconfig's current context") + ")"
            default: target
            }
        }
        return named.isEmpty ? "no target in use yet (no spec names one)" : "targets " + named.joined(separator: ", ")
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

    static func follow(_ source: some EventSource, target: String, inUseAtStart: Bool, owner: String, controller: Controller,
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
                    let key = event.target + "/" + event.name
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
                if failures == 1 { log("engine event stream lost: \(error); reconnecting") }
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
