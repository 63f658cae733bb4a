import BerthJSON

/// Walks a native fragment against its schema table (DockerSchema, SwarmSchema): unknown keys
/// are refused with "did you mean", wrong JSON types and values the engine would refuse are
/// refused with their path and position, all before anything is sent.
extension FieldReader {
    mutating func dockerBody(_ node: JSONNode, _ path: JSONPath) -> JSONValue? {
        guard case .object = node.kind else {
            fail(node, path, "expected a Docker Engine create-container body (an object), got \(node.typeName)")
            return nil
        }
        let before = errors.count
        check(node, path, as: DockerSchema.body)
        return errors.count == before ? node.value : nil
    }

    mutating func swarmFragment(_ node: JSONNode, _ path: JSONPath) -> JSONValue? {
        let before = errors.count
        check(node, path, as: SwarmSchema.serviceSpec)
        return errors.count == before ? node.value : nil
    }

    mutating func check(_ node: JSONNode, _ path: JSONPath, as type: NativeType) {
        // The engine decodes null as "not set" everywhere; so does berth.
        if case .null = node.kind { return }
        switch type {
        case .anything, .refused: return
        case .string, .oneOf:
            guard case .string(let text) = node.kind else { return wrongType(node, path, type) }
            if case .oneOf(let what, let allowed) = type, !allowed.contains(text) {
                let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
                let guess = Suggest.closest(to: text, in: allowed.filter { !$0.isEmpty }).map { "; did you mean \"\($0)\"?" } ?? ""
                fail(node, path, "unknown \(what) \(quoted(text)); expected one of \(list)" + guess)
            }
        case .bool:
            guard case .bool = node.kind else { return wrongType(node, path, type) }
        case .number:
            guard case .number = node.kind else { return wrongType(node, path, type) }
        case .integer, .atLeast, .range, .bytes, .nanoseconds:
            checkInteger(node, path, type)
        case .stringOrStrings:
            if case .string = node.kind { return }
            guard case .array(let items) = node.kind else { return wrongType(node, path, type) }
            for (i, item) in items.enumerated() { check(item, path.appending(index: i), as: .string) }
        case .arrayOf(let element):
            guard case .array(let items) = node.kind else { return wrongType(node, path, type) }
            for (i, item) in items.enumerated() { check(item, path.appending(index: i), as: element) }
        case .mapOf(let value):
            guard case .object(let members) = node.kind else { return wrongType(node, path, type) }
            for member in members { check(member.value, path.appending(key: member.key), as: value) }
        case .labels:
            guard case .object(let members) = node.kind else { return wrongType(node, path, type) }
            for member in members { check(member.value, path.appending(key: member.key), as: .string) }
            refuseOwnLabels(node, path)
        case .object(let name, let fields):
            guard case .object(let members) = node.kind else { return wrongType(node, path, type) }
            for member in members {
                let memberPath = path.appending(key: member.key)
                guard let field = fields[member.key] else {
                    // Small objects list what they know when no key is close enough to guess.
                    let known = fields.count <= 8 ? "; known fields are " + fields.keys.sorted().joined(separator: ", ") : ""
                    let guess = Suggest.closest(to: member.key, in: Array(fields.keys)).map { "; did you mean \"\($0)\"?" } ?? known
                    fail(at: member.keyPosition, memberPath, "unknown \(name) field \"\(JSONPath.abbreviated(member.key))\"" + guess)
                    continue
                }
                if case .refused(let reason) = field {
                    fail(at: member.keyPosition, memberPath, reason)
                    continue
                }
                check(member.value, memberPath, as: field)
            }
        }
    }

    private mutating func checkInteger(_ node: JSONNode, _ path: JSONPath, _ type: NativeType) {
        let literal: String
        switch node.kind {
        case .number(let text): literal = text
        case .string(let text):
            // The engine wants numbers; say what the text would have been as one.
            var hint = ""
            if case .bytes = type, let bytes = ByteSize.bytes(text) { hint = "; write \(bytes)" }
            if case .nanoseconds = type, let ns = SwarmDuration.nanoseconds(text) { hint = "; write \(ns)" }
            return fail(node, path, "expected \(type.expectation), got string \(quoted(text))" + hint)
        default: return wrongType(node, path, type)
        }
        guard let value = Int(literal) else {
            return fail(node, path, "expected \(type.expectation), got \(literal.prefix(40))")
        }
        let fits: Bool
        switch type {
        case .atLeast(let low): fits = value >= low
        case .range(let low, let high): fits = value >= low && value <= high
        case .bytes, .nanoseconds: fits = value >= 0
        default: fits = true
        }
        if !fits { fail(node, path, "expected \(type.expectation), got \(literal.prefix(40))") }
    }

    private mutating func wrongType(_ node: JSONNode, _ path: JSONPath, _ type: NativeType) {
        fail(node, path, "expected \(type.expectation), got \(node.typeName)")
    }
}
