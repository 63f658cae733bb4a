import BerthSystem
import FoundationEssentials

/// The watch's metrics, counted from what the controller tells its observers and rendered
/// in Prometheus' text format for `GET /metrics`. Counting takes a lock for moments only, so
/// a pass is never slowed by a scrape.
public final class WatchMetrics: ControllerObserver, @unchecked Sendable {
    /// Upper bounds of the pass duration histogram, in seconds.
    public static let durationBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    static let passResults = ["converged", "pending", "failed"]

    private struct Counts {
        var passes: [String: Double] = Dictionary(uniqueKeysWithValues: WatchMetrics.passResults.map { ($0, 0) })
        /// Per bucket, passes that took at most its bound (not yet cumulative).
        var durationBuckets = [Double](repeating: 0, count: WatchMetrics.durationBuckets.count)
        var durationSum = 0.0
        var durationCount = 0.0
        var actions: [[String]: Double] = [:]
        var retries: [String: Double] = [:]
        var drift: [String: Double] = [:]
        var heals: [String: Double] = [:]
        var held: Double = 0
        var targetUp: [String: Bool] = [:]
        var lastConverged: Double?
    }

    private let lock = ThreadLock()
    private var counts = Counts()
    private let revision: @Sendable () -> String?
    private let wallClock: @Sendable () -> Double

    /// `revision` names what is in force (a commit), nil when unknown; `wallClock` is seconds
    /// since 1970, injected for tests.
    public init(revision: @escaping @Sendable () -> String? = { nil },
                wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.revision = revision; self.wallClock = wallClock
    }

    public static let contentType = PrometheusText.contentType

    public func passFinished(_ pass: PassSummary) {
        let seconds = Double(pass.duration.components.seconds) + Double(pass.duration.components.attoseconds) / 1e18
        let time = pass.converged ? wallClock() : nil
        lock.withLock {
            counts.passes[pass.result, default: 0] += 1
            if let bucket = WatchMetrics.durationBuckets.firstIndex(where: { seconds <= $0 }) { counts.durationBuckets[bucket] += 1 }
            counts.durationSum += seconds
            counts.durationCount += 1
            if let time { counts.lastConverged = time }
        }
    }

    public func actionFinished(target: String, kind: String, op: String, succeeded: Bool, attempts: Int) {
        lock.withLock { counts.actions[[target, kind, op, succeeded ? "ok" : "failed"], default: 0] += 1 }
    }

    public func retrying(key: String, target: String, delay: Duration) {
        lock.withLock { counts.retries[target, default: 0] += 1 }
    }

    public func driftSeen(target: String, name: String, reason: String) {
        lock.withLock { counts.drift[target, default: 0] += 1 }
    }

    public func driftHealed(target: String, name: String) {
        lock.withLock { counts.heals[target, default: 0] += 1 }
    }

    public func heldDeletions(count: Int, names: [String]) {
        lock.withLock { counts.held = Double(count) }
    }

    public func reachabilityChanged(target: String, reachable: Bool, cause: String?) {
        lock.withLock { counts.targetUp[target] = reachable }
    }

    /// Every metric in the text exposition format, families and series in a stable order.
    public func render() -> String {
        let counts = lock.withLock { self.counts }
        let revision = self.revision()
        var out = PrometheusText()
        out.family("berth_passes_total", type: "counter", help: "Reconcile passes finished, by result (converged, pending, failed).")
        for result in WatchMetrics.passResults { out.sample("berth_passes_total", [("result", result)], counts.passes[result] ?? 0) }

        out.family("berth_pass_duration_seconds", type: "histogram", help: "How long reconcile passes took.")
        var cumulative = 0.0
        for (index, bound) in WatchMetrics.durationBuckets.enumerated() {
            cumulative += counts.durationBuckets[index]
            out.sample("berth_pass_duration_seconds_bucket", [("le", PrometheusText.number(bound))], cumulative)
        }
        out.sample("berth_pass_duration_seconds_bucket", [("le", "+Inf")], counts.durationCount)
        out.sample("berth_pass_duration_seconds_sum", [], counts.durationSum)
        out.sample("berth_pass_duration_seconds_count", [], counts.durationCount)

        out.family("berth_actions_total", type: "counter", help: "Actions carried out, by target, kind, op and result (ok, failed).")
        for labels in counts.actions.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out.sample("berth_actions_total", zip(["target", "kind", "op", "result"], labels).map { ($0, $1) }, counts.actions[labels]!)
        }
        WatchMetrics.perTarget(&out, "berth_action_retries_total", "Failed specs or passes scheduled to be tried again, by target.", counts.retries)
        WatchMetrics.perTarget(&out, "berth_drift_total", "Changes made out of band that berth planned to put back, by target.", counts.drift)
        WatchMetrics.perTarget(&out, "berth_heals_total", "Out-of-band changes put back successfully, by target.", counts.heals)

        out.family("berth_held_deletions", type: "gauge", help: "Removed specs whose deletion waits for `berth release`.")
        out.sample("berth_held_deletions", [], counts.held)
        out.family("berth_target_up", type: "gauge", help: "Whether berth reached the target on its last try (1) or not (0).")
        for target in counts.targetUp.keys.sorted() { out.sample("berth_target_up", [("target", target)], counts.targetUp[target]! ? 1 : 0) }
        if let revision {
            out.family("berth_revision_info", type: "gauge", help: "The revision of the specs in force, as a label.")
            out.sample("berth_revision_info", [("revision", revision)], 1)
        }
        if let last = counts.lastConverged {
            out.family("berth_last_converged_timestamp_seconds", type: "gauge", help: "When a pass last found everything converged, in seconds since 1970.")
            out.sample("berth_last_converged_timestamp_seconds", [], last)
        }
        return out.text
    }

    private static func perTarget(_ out: inout PrometheusText, _ name: String, _ help: String, _ values: [String: Double]) {
        out.family(name, type: "counter", help: help)
        for target in values.keys.sorted() { out.sample(name, [("target", target)], values[target]!) }
    }
}
