import BerthEngine
import BerthJSON
import BerthModel

/// Whether a spec's containers are ready for its dependents and for `apply --wait`: as many
/// of the current configuration running as the spec asks, each healthy where it has a check.
extension DockerContainerAdapter: ReadinessCheck {
    public func readiness(of spec: Spec, owner: String) async throws -> Readiness {
        if spec.state == .stopped { return .failed("its spec keeps it stopped") }
        let found = try await observe(owner: owner).filter {
            $0.name == spec.name && $0.configHash == spec.configHash && $0.state != .removing
        }
        var healthy = 0
        var waiting: [String] = []
        for container in found.sorted(by: { ($0.replica ?? 0) < ($1.replica ?? 0) }) {
            let name = container.engineName
            switch container.state {
            case .running: break
            case .dead: return .failed("container \(name) is dead")
            case .stopped(let word) where word == "exited" && (spec.restart ?? .no) == .no:
                let code = container.exit.map { " with code \($0.code)" } ?? ""
                return .failed("container \(name) exited\(code)")
            default:
                // Created and not yet started, or exited and about to be restarted by its policy.
                waiting.append("\(name) is \(container.state)")
                continue
            }
            let answer = try await client.request("GET", "/containers/\(container.id)/json", doing: "inspecting container \(name)", accept: [404])
            guard answer.status != 404, let health = JSONValue(answer: answer.body)?["State"]?["Health"] else {
                // No health check: running is ready.
                if answer.status != 404 { healthy += 1 }
                continue
            }
            let status = health["Status"]?.stringValue ?? "starting"
            let last = Self.lastCheck(health)
            switch status {
            case "healthy": healthy += 1
            case "unhealthy": return .failed("container \(name) is unhealthy" + last)
            default: waiting.append("\(name) is \(status)" + last)
            }
        }
        let text = "\(healthy)/\(spec.replicas) replicas ready"
        if healthy >= spec.replicas { return .ready(text) }
        return .waiting(text + (waiting.isEmpty ? "" : "; " + waiting.joined(separator: "; ")))
    }

    /// "; last check (exit 1): connection refused": what the engine kept of the last check.
    static func lastCheck(_ health: JSONValue) -> String {
        guard let last = health["Log"]?.arrayValue?.last else { return "" }
        let output = Printable.oneLine((last["Output"]?.stringValue ?? "").split(whereSeparator: { $0.isWhitespace }).joined(separator: " "))
        let code = last["ExitCode"]?.intValue.map { " (exit \($0))" } ?? ""
        let shown = output.count > 200 ? String(output.prefix(200)) + "…" : output
        return "; last check\(code): " + (shown.isEmpty ? "no output" : shown)
    }
}
