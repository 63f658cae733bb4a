import BerthModel

/// Whether a status shows the targets as the specs say, and what stands in the way: the one
/// notion of "converged" that metrics, notifications and the pass results share.
extension StatusReport {
    /// The problems standing, one line each: spec errors, specs whose last actions failed
    /// (or that a platform refused), unreachable targets. Made of what status shows, so no
    /// secret value is in them.
    public var problems: [String] {
        var lines = errors
        for entry in entries {
            if let error = entry.lastError, entry.config != "unknown" { lines.append(TargetName(entry.target).qualifying(SpecName(entry.name)) + ": \(error)") }
        }
        for target in targets ?? [] where target.state != "ok" {
            lines.append("\(target.name) unreachable since \(target.since ?? "?")" + (target.error.map { ": \($0)" } ?? ""))
        }
        return lines
    }

    /// Every spec's resources current and running, nothing failing, every target in use
    /// reachable. A removed spec whose deletion is held for a person does not count against it:
    /// that wait is said on its own (`deletions-held`).
    public var isConverged: Bool {
        guard problems.isEmpty, invalidFiles == nil else { return false }
        let waiting = Set((held ?? []).filter { !$0.released }.map { TargetName($0.target).qualifying(SpecName($0.spec)) })
        return entries.allSatisfy { entry in
            switch entry.config {
            case "removed":
                return waiting.contains(TargetName(entry.target).qualifying(SpecName(entry.name)))
            case "current":
                // Kubernetes objects other than Deployments have nothing that runs.
                if entry.kind == "objects" && entry.rollouts == nil { return true }
                return entry.runningReplicas >= entry.desiredReplicas
            default:
                return false
            }
        }
    }
}
