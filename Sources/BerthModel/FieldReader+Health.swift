/// The portable `health` field.
extension FieldReader {
    static let healthFields = ["cmd", "interval", "timeout", "retries", "startPeriod"]

    mutating func health(_ node: JSONNode, _ path: JSONPath) -> HealthCheck? {
        guard case .object(let members) = node.kind else {
            fail(node, path, "expected an object like {\"cmd\": [\"/bin/check\"], \"interval\": \"5s\", \"timeout\": \"2s\", \"retries\": 3, \"startPeriod\": \"10s\"}, got \(node.typeName)")
            return nil
        }
        let before = errors.count
        var check = HealthCheck(command: [])
        var sawCommand = false
        for member in members {
            let memberPath = path.appending(key: member.key)
            switch member.key {
            case "cmd":
                sawCommand = true
                guard let words = stringArray(member.value, memberPath) else { continue }
                if words.isEmpty || words[0].isEmpty {
                    fail(member.value, memberPath, "the health command is empty; write the program and its arguments, like [\"/bin/check\", \"--quick\"] (no shell: [\"/bin/sh\", \"-c\", \"…\"] for one)")
                } else if words.contains(where: { $0.contains("\u{0}") }) {
                    fail(member.value, memberPath, "the health command cannot contain NUL")
                } else {
                    check.command = words
                }
            case "interval", "timeout", "startPeriod":
                guard let text = string(member.value, memberPath) else { continue }
                // The engine refuses anything shorter than a millisecond (0 means its default).
                guard let ns = DurationText.nanoseconds(text), ns >= 1_000_000 else {
                    fail(member.value, memberPath, "\(quoted(text)) is not a duration like \"500ms\", \"5s\" or \"1m\" (at least 1ms, at most a week)")
                    continue
                }
                switch member.key {
                case "interval": check.intervalNanoseconds = ns
                case "timeout": check.timeoutNanoseconds = ns
                default: check.startPeriodNanoseconds = ns
                }
            case "retries":
                if case .number(let n) = member.value.kind, let value = Int(n), value >= 0, value <= 1000 { check.retries = value }
                else { fail(member.value, memberPath, "expected an integer from 0 to 1000, got \(member.value.typeName == "number" ? String(member.value.value.canonicalText.prefix(40)) : member.value.typeName)") }
            default:
                let guess = Suggest.closest(to: member.key, in: FieldReader.healthFields).map { "; did you mean \"\($0)\"?" } ?? ""
                fail(at: member.keyPosition, memberPath, "unknown health field \"\(JSONPath.abbreviated(member.key))\"" + guess)
            }
        }
        if !sawCommand { fail(node, path, "missing required field \"cmd\": the command that says whether the container is healthy") }
        return errors.count == before ? check : nil
    }
}
