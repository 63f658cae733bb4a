/// The two faces of a plan: text for people, JSON for scripts. Both are deterministic.
extension Plan: CustomStringConvertible {
    static let symbols: [Action.Op: String] = [.create: "+", .replace: "~", .start: ">", .stop: "~", .update: "~", .adopt: "~", .release: "!", .delete: "-"]

    public var description: String {
        var lines: [String] = []
        // A spec's replicas are alike: its settings are listed under its first create only.
        var listed: Set<String> = []
        for action in actions {
            var line = action.op == .release ? "! release \(action.key) (\(action.reason))"
                : "\(Plan.symbols[action.op]!) \(action.op.rawValue) \(action.key): \(action.reason)"
            if let strategy = action.strategy { line += " [\(strategy.rawValue)]" }
            lines.append(line)
            for change in action.changes { lines.append("    \(change)") }
            let attributes = action.createAttributes
            if !attributes.isEmpty, listed.insert("\(action.key.target)/\(action.key.name)").inserted {
                lines += attributes.map { "    " + $0 }
            }
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
        lines.append(closingLine(counts))
        return lines.joined(separator: "\n")
    }

    /// The last line: what will change, then everything that keeps this from being the whole
    /// truth (held deletions, invalid files, unplanned targets). "everything matches" only when it does.
    func closingLine(_ counts: [String]) -> String {
        if matches {
            if specCount == 0 {
                return anyTargetContacted ? "No changes: there are no specs, and nothing berth manages was found."
                    : "No changes: there are no specs, and no target was asked (berth has made nothing with this state folder)."
            }
            return "No changes: everything matches the specs."
        }
        var parts = [counts.isEmpty ? "No changes to make now." : "Plan: " + counts.joined(separator: ", ") + "."]
        let deletions = held.filter { $0.op == .delete }
        if !deletions.isEmpty {
            let specs = Set(deletions.map(\.key.name)).sorted()
            parts.append("Held: \(deletions.count) deletion\(deletions.count == 1 ? "" : "s") of removed spec\(specs.count == 1 ? "" : "s") \(specs.joined(separator: ", ")) (see the note).")
        }
        if heldCreates > 0 {
            parts.append("Held: \(heldCreates) create\(heldCreates == 1 ? "" : "s") by the mass-create guard (see the note).")
        }
        let files = Set(errors.map(\.file)).sorted()
        if !files.isEmpty {
            parts.append("Invalid: \(files.count) file\(files.count == 1 ? "" : "s") not planned (\(files.joined(separator: ", "))).")
        }
        if !blocked.isEmpty {
            parts.append("Blocked: \(blocked.count) spec\(blocked.count == 1 ? "" : "s") until changed (see above).")
        }
        if !unplannedTargets.isEmpty {
            parts.append("Not planned: the specs of \(unplannedTargets.sorted().joined(separator: ", ")), which could not be observed.")
        }
        return parts.joined(separator: " ")
    }

    /// `{"actions": [...], "errors": [...], "held": [...], "notes": [...], "unplannedTargets": [...]}`, and "blocked": [...] when a spec is blocked
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "actions": .array(actions.map(\.json)),
            "errors": .array(errors.map(\.json)),
            "held": .array(held.map(\.json)),
            "matches": .bool(matches),
            "notes": .array(notes.map { .string($0) }),
            "unplannedTargets": .array(unplannedTargets.sorted().map { .string($0) }),
        ]
        // Only when there are some, so the shape scripts know stays as it was.
        if !blocked.isEmpty {
            object["blocked"] = .array(blocked.map { .object(["target": .string($0.key.target.rawValue), "kind": .string($0.key.kind),
                                                               "name": .string($0.key.name), "message": .string($0.message)]) })
        }
        return .object(object)
    }
}

extension Action {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "op": .string(op.rawValue), "target": .string(key.target.rawValue), "kind": .string(key.kind),
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
