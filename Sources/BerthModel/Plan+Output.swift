/// The two faces of a plan: text for people, JSON for scripts. Both are deterministic.
extension Plan: CustomStringConvertible {
    static let symbols: [Action.Op: String] = [.create: "+", .replace: "~", .start: ">", .update: "~", .delete: "-"]

    public var description: String {
        var lines: [String] = []
        for action in actions {
            var line = "\(Plan.symbols[action.op]!) \(action.op.rawValue) \(action.key): \(action.reason)"
            if let strategy = action.strategy { line += " [\(strategy.rawValue)]" }
            lines.append(line)
            for change in action.changes { lines.append("    \(change)") }
        }
        for action in held {
            lines.append("! held \(action.op.rawValue) \(action.key): \(action.reason)")
        }
        for spec in blocked { lines.append("! blocked \(spec)") }
        for note in notes { lines.append("note: \(note)") }
        let counts = Action.Op.allCases.compactMap { op -> String? in
            let n = count(op)
            return n == 0 ? nil : "\(n) to \(op.rawValue)"
        }
        if unplannedTargets.isEmpty {
            if counts.isEmpty && !blocked.isEmpty {
                lines.append("No changes to send; \(blocked.count) spec\(blocked.count == 1 ? " is" : "s are") blocked until changed.")
            } else {
                lines.append(counts.isEmpty ? "No changes: everything matches the specs." : "Plan: " + counts.joined(separator: ", ") + ".")
            }
        } else {
            let summary = counts.isEmpty ? "No changes for the targets observed." : "Plan: " + counts.joined(separator: ", ") + "."
            lines.append(summary + " Not planned: the specs of \(unplannedTargets.sorted().joined(separator: ", ")), which could not be observed.")
        }
        return lines.joined(separator: "\n")
    }

    /// `{"actions": [...], "errors": [...], "held": [...], "notes": [...], "unplannedTargets": [...]}`, and "blocked": [...] when a spec is blocked
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "actions": .array(actions.map(\.json)),
            "errors": .array(errors.map(\.json)),
            "held": .array(held.map(\.json)),
            "notes": .array(notes.map { .string($0) }),
            "unplannedTargets": .array(unplannedTargets.sorted().map { .string($0) }),
        ]
        // Only when there are some, so the shape scripts know stays as it was.
        if !blocked.isEmpty {
            object["blocked"] = .array(blocked.map { .object(["target": .string($0.key.target), "kind": .string($0.key.kind),
                                                               "name": .string($0.key.name), "message": .string($0.message)]) })
        }
        return .object(object)
    }
}

extension Action {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "op": .string(op.rawValue), "target": .string(key.target), "kind": .string(key.kind),
            "name": .string(key.name), "reason": .string(reason),
            "replica": key.replica.map { .number(String($0)) } ?? .null,
        ]
        if let strategy { object["strategy"] = .string(strategy.rawValue) }
        if let kube = key.kubeObject {
            object["object"] = .string(kube.description)
            object["apiVersion"] = .string(kube.apiVersion)
            object["namespace"] = kube.namespace.map { .string($0) } ?? .null
            object["objectName"] = .string(kube.name)
        }
        if !changes.isEmpty { object["changes"] = .array(changes.map { .string($0.description) }) }
        return .object(object)
    }
}
