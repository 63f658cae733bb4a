@testable import BerthEngine
import BerthModel
import Foundation
import Testing

/// `/metrics` must parse as Prometheus text, and its counters must move with what the
/// controller reports.
@Suite struct WatchMetricsTests {
    static func report(converged: Bool) -> StatusReport {
        let entry = StatusReport.Entry(target: "docker", kind: "container", name: "web", desiredReplicas: 1, runningReplicas: converged ? 1 : 0,
                                       configHashMatches: converged, config: converged ? "current" : "missing")
        return StatusReport(owner: "o", time: "t", engine: "ok", targets: [.init(name: "docker", state: "ok")], entries: [entry],
                            errors: [], notes: [], held: nil, invalidFiles: nil)
    }

    static func pass(_ converged: Bool, _ duration: Duration, errors: [String] = []) -> PassSummary {
        PassSummary(key: "*", report: report(converged: converged), duration: duration, converged: converged, errors: errors)
    }

    @Test func theRenderingParsesAndItsCountersMoveWithTheCalls() {
        let revision = Revision()
        let metrics = WatchMetrics(revision: { revision.value }, wallClock: { 1_764_876_000.5 })
        let empty = ExpositionChecker(metrics.render())
        #expect(empty.problems == [])
        #expect(empty.value("berth_passes_total", ["result": "converged"]) == 0)
        #expect(empty.value("berth_last_converged_timestamp_seconds") == nil, "never converged yet")
        #expect(!empty.samples.contains { $0.name == "berth_revision_info" }, "no revision known")

        metrics.passFinished(Self.pass(false, .milliseconds(30)))
        metrics.passFinished(Self.pass(false, .milliseconds(700), errors: ["docker/web: the build failed"]))
        metrics.passFinished(Self.pass(true, .seconds(3)))
        metrics.passFinished(Self.pass(true, .seconds(90)))
        metrics.actionFinished(target: "docker", kind: "container", op: "create", succeeded: false, attempts: 1)
        metrics.actionFinished(target: "docker", kind: "container", op: "create", succeeded: true, attempts: 1)
        metrics.actionFinished(target: "docker", kind: "container", op: "create", succeeded: true, attempts: 1)
        metrics.retrying(key: "docker/web", target: "docker", delay: .seconds(1))
        metrics.driftSeen(target: "swarm", name: "api", reason: "drifted out of band: Labels")
        metrics.driftHealed(target: "swarm", name: "api")
        metrics.heldDeletions(count: 2, names: ["docker/a", "docker/b"])
        metrics.reachabilityChanged(target: "docker", reachable: true, cause: nil)
        metrics.reachabilityChanged(target: "kubernetes", reachable: false, cause: "connection refused")
        revision.value = "4f2c1e0 \"quoted\" \\ and\nnewline"

        let text = metrics.render()
        let read = ExpositionChecker(text)
        #expect(read.problems == [])
        #expect(read.value("berth_passes_total", ["result": "pending"]) == 1)
        #expect(read.value("berth_passes_total", ["result": "failed"]) == 1)
        #expect(read.value("berth_passes_total", ["result": "converged"]) == 2)
        #expect(read.value("berth_pass_duration_seconds_bucket", ["le": "0.05"]) == 1)
        #expect(read.value("berth_pass_duration_seconds_bucket", ["le": "1"]) == 2)
        #expect(read.value("berth_pass_duration_seconds_bucket", ["le": "5"]) == 3)
        #expect(read.value("berth_pass_duration_seconds_bucket", ["le": "60"]) == 3)
        #expect(read.value("berth_pass_duration_seconds_bucket", ["le": "+Inf"]) == 4)
        #expect(read.value("berth_pass_duration_seconds_count") == 4)
        #expect(abs((read.value("berth_pass_duration_seconds_sum") ?? 0) - 93.73) < 0.001)
        #expect(read.value("berth_actions_total", ["target": "docker", "kind": "container", "op": "create", "result": "ok"]) == 2)
        #expect(read.value("berth_actions_total", ["target": "docker", "kind": "container", "op": "create", "result": "failed"]) == 1)
        #expect(read.value("berth_action_retries_total", ["target": "docker"]) == 1)
        #expect(read.value("berth_drift_total", ["target": "swarm"]) == 1)
        #expect(read.value("berth_heals_total", ["target": "swarm"]) == 1)
        #expect(read.value("berth_held_deletions") == 2)
        #expect(read.value("berth_target_up", ["target": "docker"]) == 1)
        #expect(read.value("berth_target_up", ["target": "kubernetes"]) == 0)
        #expect(read.value("berth_revision_info", ["revision": "4f2c1e0 \"quoted\" \\ and\nnewline"]) == 1)
        #expect(text.contains(#"revision="4f2c1e0 \"quoted\" \\ and\nnewline""#), "escaped as the format says")
        #expect(read.value("berth_last_converged_timestamp_seconds") == 1_764_876_000.5)
        #expect(read.types["berth_pass_duration_seconds"] == "histogram")
        #expect(read.types["berth_actions_total"] == "counter")
        #expect(read.types["berth_target_up"] == "gauge")
    }

    /// The checker itself must refuse what a scraper refuses, or the test above proves nothing.
    @Test func theCheckerRefusesBrokenText() {
        #expect(!ExpositionChecker("# HELP a x\n# TYPE a counter\na{l=\"unescaped \" quote\"} 1\n").problems.isEmpty)
        #expect(!ExpositionChecker("# HELP a x\n# TYPE a counter\nb 1\n").problems.isEmpty, "outside its family")
        #expect(!ExpositionChecker("# HELP 1a x\n# TYPE 1a counter\n1a 1\n").problems.isEmpty, "bad name")
        let notCumulative = "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"
        #expect(!ExpositionChecker(notCumulative).problems.isEmpty)
        let countDiffers = "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 2\n"
        #expect(!ExpositionChecker(countDiffers).problems.isEmpty)
        #expect(ExpositionChecker("# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n").problems == [])
    }
}

final class Revision: @unchecked Sendable {
    private let lock = NSLock()
    private var current: String?
    var value: String? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
