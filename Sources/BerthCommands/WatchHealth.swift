import BerthEngine
import BerthSystem
import FoundationEssentials

/// What the listener's /readyz and /status read: the report of the watch's last pass,
/// updated by the controller's status handler, read from the listener's threads.
final class WatchHealth: @unchecked Sendable {
    private let lock = ThreadLock()
    private var report: StatusReport?

    func record(_ report: StatusReport) {
        lock.withLock { self.report = report }
    }

    /// The last pass's report; nil until the first pass has finished.
    var latest: StatusReport? { lock.withLock { report } }

    /// nil when ready: the first pass has finished and the last one reached every target in
    /// use. Otherwise one line saying why not.
    var notReadyReason: String? {
        guard let report = latest else { return "not ready: the first pass has not finished" }
        let down = (report.targets ?? []).filter { $0.state != "ok" }
        guard !down.isEmpty else { return nil }
        return "not ready: " + down.map { "target \($0.name) \($0.state)" + ($0.error.map { ": \($0)" } ?? "") }.joined(separator: "; ")
    }
}
