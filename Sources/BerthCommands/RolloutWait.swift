import BerthEngine
import BerthKube
import BerthModel
import BerthSource
import FoundationEssentials

/// `apply --wait`: follows each Deployment the specs made until its rollout completes,
/// stalls (Progressing=False, ProgressDeadlineExceeded: fail with the condition's message)
/// or the timeout passes. A newer spec arriving meanwhile supersedes the wait.
enum RolloutWait {
    enum Outcome: Equatable {
        case complete
        case failed(String)
        case superseded
    }

    static let interval: Duration = .milliseconds(500)

    static func run(adapter: KubernetesAdapter, deployments: [KubeObjectID], timeout: Duration, console: Console,
                    superseded: @escaping @Sendable () -> Bool) async -> Outcome {
        let deadline = ContinuousClock.now + timeout
        var pending = deployments
        var said: [KubeObjectID: String] = [:]
        while true {
            var still: [KubeObjectID] = []
            for id in pending {
                let rollout: KubeRollout?
                do { rollout = try await adapter.rollout(of: id) } catch {
                    // A failed read is not a failed rollout: say it and look again.
                    if said[id] != "\(error)" { console.err("wait: \(id): \(error)"); said[id] = "\(error)" }
                    still.append(id)
                    continue
                }
                guard let rollout else { return .failed("\(id) is gone while waiting for its rollout") }
                switch rollout.phase {
                case .complete:
                    console.out("rollout complete: \(id): \(rollout.message)")
                case .stalled:
                    return .failed("rollout of \(id) stalled: \(rollout.message)")
                case .pending, .progressing:
                    if said[id] != rollout.message { console.status("waiting: \(id): \(rollout.message)", onStdout: true); said[id] = rollout.message }
                    still.append(id)
                }
            }
            pending = still
            if pending.isEmpty { return .complete }
            if superseded() { return .superseded }
            if ContinuousClock.now >= deadline {
                return .failed(timedOut(after: timeout, pending: pending, said: said))
            }
            try? await Task.sleep(for: interval)
        }
    }
}

extension RolloutWait {
    /// Rollouts named in the timeout message; the rest are counted.
    static let shownAtTimeout = 10

    /// One line per unfinished rollout, the first ten and a count of the rest: 25 Deployments
    /// in one line made a 1.5 KB line nobody could read.
    static func timedOut(after timeout: Duration, pending: [KubeObjectID], said: [KubeObjectID: String]) -> String {
        let count = pending.count == 1 ? "1 rollout" : "\(pending.count) rollouts"
        var lines = ["timed out after \(Controller.seconds(timeout)) waiting for \(count):"]
        lines += pending.prefix(shownAtTimeout).map { "  \($0): \(said[$0] ?? "no status yet")" }
        if pending.count > shownAtTimeout { lines.append("  … and \(pending.count - shownAtTimeout) more") }
        return lines.joined(separator: "\n")
    }

    /// The Deployments the Kubernetes specs make, as the planner saw them.
    static func deployments(_ reconcile: Reconcile, target: TargetName) -> [KubeObjectID] {
        let facts = reconcile.context.kubeFacts(target)
        let owner = reconcile.context.owner
        let specs = reconcile.desired.specs.filter { $0.target == target }
        let objects = specs.flatMap { spec in
            KubeObjects.make(spec: spec, owner: owner, defaultNamespace: facts.namespace,
                             isNamespaced: { facts.isNamespaced(apiVersion: $0, kind: $1) })
        }
        return objects.map(\.id).filter { $0.kind == "Deployment" && $0.group == "apps" }.sorted()
    }
}

/// What the spec folder asks for, in one value: a change means a newer spec arrived.
enum SpecFingerprint {
    static func now(_ settings: Settings) -> String? {
        guard let desired = try? SpecFolder.load(settings.specsDirectory, policy: settings.policy, catalog: settings.catalog, stateDirectory: settings.stateDirectory) else { return nil }
        let lines = desired.specs.map { spec -> String in spec.target.qualifying(spec.name) + "=" + spec.configHash }
        return SHA256.hex(lines.sorted().joined(separator: "\n"))
    }
}
