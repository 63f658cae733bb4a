import BerthJSON

/// A Deployment's rollout as its status tells it, judged as `kubectl rollout status` does.
public struct KubeRollout: Sendable, Equatable, Codable {
    public enum Phase: String, Sendable, Codable {
        /// The controller has not seen the newest spec yet.
        case pending
        case progressing
        case complete
        /// Progressing=False with ProgressDeadlineExceeded: it will not get there by itself.
        case stalled
    }

    public var object: String
    public var generation: Int
    public var observedGeneration: Int
    public var desired: Int
    public var updated: Int
    public var ready: Int
    public var available: Int
    /// Replicas of all revisions, old ones still terminating included.
    public var total: Int
    public var progressing: Condition?
    public var availableCondition: Condition?
    public var phase: Phase
    /// What to tell a person: why it is not done yet, or the condition's message when stalled.
    public var message: String

    public struct Condition: Sendable, Equatable, Codable {
        public var status: String
        public var reason: String?
        public var message: String?
    }

    public init(deployment: JSONValue, object: String) {
        self.object = object
        let status = deployment["status"]
        generation = deployment["metadata"]?["generation"]?.intValue ?? 0
        observedGeneration = status?["observedGeneration"]?.intValue ?? 0
        desired = deployment["spec"]?["replicas"]?.intValue ?? 1
        updated = status?["updatedReplicas"]?.intValue ?? 0
        ready = status?["readyReplicas"]?.intValue ?? 0
        available = status?["availableReplicas"]?.intValue ?? 0
        total = status?["replicas"]?.intValue ?? 0
        progressing = KubeRollout.condition(status, "Progressing")
        availableCondition = KubeRollout.condition(status, "Available")
        (phase, message) = KubeRollout.judge(generation: generation, observed: observedGeneration, desired: desired,
                                             updated: updated, available: available, total: total, progressing: progressing)
    }

    static func condition(_ status: JSONValue?, _ type: String) -> Condition? {
        guard let found = status?["conditions"]?.arrayValue?.first(where: { $0["type"]?.stringValue == type }) else { return nil }
        return Condition(status: found["status"]?.stringValue ?? "Unknown", reason: found["reason"]?.stringValue,
                         message: found["message"]?.stringValue)
    }

    static func judge(generation: Int, observed: Int, desired: Int, updated: Int, available: Int, total: Int,
                      progressing: Condition?) -> (Phase, String) {
        guard observed >= generation else { return (.pending, "waiting for the controller to observe generation \(generation)") }
        if progressing?.reason == "ProgressDeadlineExceeded" {
            return (.stalled, progressing?.message ?? "the rollout exceeded its progress deadline")
        }
        if updated < desired { return (.progressing, "\(updated) of \(desired) updated replicas") }
        if total > updated { return (.progressing, "\(total - updated) old replicas are pending termination") }
        if available < updated { return (.progressing, "\(available) of \(updated) updated replicas are available") }
        return (.complete, "\(available) of \(desired) replicas available")
    }
}
