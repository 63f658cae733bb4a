/// `update` (Swarm services and, as a rollout of replicas, Docker containers) and the
/// swarm-only native `swarm` ServiceSpec fragment.
extension FieldReader {
    static let updateFields = ["parallelism", "delay", "order", "failureAction", "monitor"]

    mutating func update(_ node: JSONNode, _ path: JSONPath, platform: PlatformID = .swarm) -> UpdatePolicy? {
        guard case .object(let members) = node.kind else {
            fail(node, path, "expected an object like {\"parallelism\": 1, \"delay\": \"10s\", \"order\": \"start-first\", \"failureAction\": \"rollback\"}, got \(node.typeName)")
            return nil
        }
        let before = errors.count
        var policy = UpdatePolicy()
        for member in members {
            let memberPath = path.appending(key: member.key)
            switch member.key {
            case "parallelism":
                if case .number(let n) = member.value.kind, let value = Int(n), value >= 0 { policy.parallelism = value }
                else { fail(member.value, memberPath, "expected an integer >= 0, got \(member.value.typeName == "number" ? String(member.value.value.canonicalText.prefix(40)) : member.value.typeName)") }
            case "delay":
                if let text = string(member.value, memberPath) {
                    if let ns = SwarmDuration.nanoseconds(text) { policy.delayNanoseconds = ns }
                    else { fail(member.value, memberPath, "\(quoted(text)) is not a duration like \"500ms\", \"10s\" or \"1m\"") }
                }
            case "order":
                policy.order = oneOf(member.value, memberPath, ["start-first", "stop-first"], what: "update order")
            case "failureAction":
                // A container rollout has no "continue": a failed replica is never left serving.
                policy.failureAction = oneOf(member.value, memberPath, platform == .docker ? ["rollback", "pause"] : ["pause", "rollback", "continue"],
                                             what: "failure action")
            case "monitor":
                if let text = string(member.value, memberPath) {
                    if let ns = SwarmDuration.nanoseconds(text) { policy.monitorNanoseconds = ns }
                    else { fail(member.value, memberPath, "\(quoted(text)) is not a duration like \"500ms\", \"10s\" or \"1m\"") }
                }
            default:
                let guess = Suggest.closest(to: member.key, in: FieldReader.updateFields).map { "; did you mean \"\($0)\"?" } ?? ""
                fail(at: member.keyPosition, memberPath, "unknown update field \"\(JSONPath.abbreviated(member.key))\"" + guess)
            }
        }
        return errors.count == before ? policy : nil
    }
}

extension FieldReader {
    /// Labels in a native fragment: berth's own (`berth.*`) would be overwritten on the way
    /// to the engine, so they are refused here rather than silently ignored.
    mutating func refuseOwnLabels(_ node: JSONNode, _ path: JSONPath) {
        for member in node.members ?? [] where member.key.hasPrefix(Labels.prefix) {
            fail(at: member.keyPosition, path.appending(key: member.key), "labels starting with \"\(Labels.prefix)\" are berth's own and cannot be set")
        }
    }
}

/// "500ms", "10s", "1m", "1h" -> nanoseconds.
enum SwarmDuration {
    static func nanoseconds(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value * scale < 8.64e15 else { return nil }
            return Int64(value * scale)
        }
        return nil
    }
}
