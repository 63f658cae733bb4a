import BerthJSON
import BerthModel

extension DockerSwarmAdapter {
    public enum RolloutState: Sendable {
        case converged(String), failed(String), waiting(String)
    }

    /// Where a service's rollout stands. A rollback or pause in UpdateStatus is final; else it
    /// is done when no update is in progress and as many tasks as wanted run the service's current container spec
    /// (`replicas` nil for a global service: every running task does).
    public func rolloutState(of name: String, replicas: Int?) async throws -> RolloutState {
        // Tasks first, then the service: read the other way round, a new task seen running
        // for a moment could be paired with the UpdateStatus of the update before, which Swarm
        // had not replaced yet, and a failing update would pass as converged.
        let filters = JSONValue.object(["service": .array([.string(name)]), "desired-state": .array([.string("running")])]).serialized()
        let tasks = try await client.request("GET", "/tasks?filters=\(Query.escape(filters))", doing: "listing the tasks of service \(name)")
        let answer = try await client.request("GET", "/services/\(Query.escape(name))", doing: "reading service \(name)", accept: [404])
        guard answer.status != 404, let json = JSONValue(answer: answer.body) else { return .failed("the service is gone") }
        let status = json["UpdateStatus"]
        let rollout = SwarmRollout(state: status?["State"]?.stringValue, message: status?["Message"]?.stringValue)
        let said = rollout.message.map { ": \"\($0)\"" } ?? ""
        if rollout.rolledBack || rollout.paused {
            return .failed("Swarm \(rollout.rolledBack ? "rolled the update back" : "paused the update") (\(rollout.state!))\(said)")
        }
        let wanted: JSONValue? = json["Spec"]?["TaskTemplate"]?["ContainerSpec"]
        let list = JSONValue(answer: tasks.body)?.arrayValue ?? []
        let current = list.filter { task in
            let spec: JSONValue? = task["Spec"]?["ContainerSpec"]
            return spec == wanted && task["Status"]?["State"]?.stringValue == "running"
        }.count
        let lastError = list.compactMap { $0["Status"]?["Err"]?.stringValue }.last.map { "; last task error: \($0)" } ?? ""
        let enough = replicas.map { current >= $0 } ?? (current >= 1 && current == list.count)
        let text = "\(current)/\(replicas.map(String.init) ?? String(list.count)) tasks running the new spec"
        if enough && !rollout.inProgress { return .converged(text) }
        return .waiting(text + (rollout.inProgress ? " (\(rollout.state!))" : "") + lastError)
    }
}
