import BerthModel

/// Someone who wants to know what the controller did: metrics, notifications. Every call is
/// made synchronously from inside a pass, so an observer must return at once (count under a
/// lock, or hand the work to a task of its own); it never slows reconciling.
/// Each call has a default that does nothing: an observer implements what it needs.
public protocol ControllerObserver: Sendable {
    /// A pass (one key's reconcile, or "*" for everything) finished.
    func passFinished(_ pass: PassSummary)
    /// One action was carried out, or failed.
    func actionFinished(target: String, kind: String, op: String, succeeded: Bool, attempts: Int)
    /// A key failed and will be tried again after `delay`.
    func retrying(key: String, target: String, delay: Duration)
    /// Something changed out of band (a container stopped, a service edited by hand) and an
    /// action was planned to put it back; `healed` once that action succeeded.
    func driftSeen(target: String, name: String, reason: String)
    func driftHealed(target: String, name: String)
    /// Removed specs whose deletion waits for a person, after every full pass.
    func heldDeletions(count: Int, names: [String])
    /// A target became reachable (also the first time it answers) or unreachable; `cause`
    /// is what was said when it went away.
    func reachabilityChanged(target: String, reachable: Bool, cause: String?)
}

extension ControllerObserver {
    public func passFinished(_ pass: PassSummary) {}
    public func actionFinished(target: String, kind: String, op: String, succeeded: Bool, attempts: Int) {}
    public func retrying(key: String, target: String, delay: Duration) {}
    public func driftSeen(target: String, name: String, reason: String) {}
    public func driftHealed(target: String, name: String) {}
    public func heldDeletions(count: Int, names: [String]) {}
    public func reachabilityChanged(target: String, reachable: Bool, cause: String?) {}
}

/// What one pass left behind.
public struct PassSummary: Sendable {
    /// "*" for a full pass, "target/name" for one spec's.
    public var key: String
    /// The status as written to state/status.json after the pass.
    public var report: StatusReport
    public var duration: Duration
    /// Every spec current and running, nothing failing, every target reachable (see `StatusReport.isConverged`).
    public var converged: Bool
    /// The problems standing after the pass, one line each, as status shows them (secret
    /// values never reach status, so none are here either).
    public var errors: [String]

    public init(key: String, report: StatusReport, duration: Duration, converged: Bool, errors: [String]) {
        self.key = key; self.report = report; self.duration = duration; self.converged = converged; self.errors = errors
    }

    /// "converged", "failed" (problems stand) or "pending" (work under way), for metrics.
    public var result: String { converged ? "converged" : errors.isEmpty ? "pending" : "failed" }
}
