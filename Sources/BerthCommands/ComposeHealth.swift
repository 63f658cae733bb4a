import BerthJSON
import BerthModel

/// `healthcheck` and `deploy.update_config`, translated into issue 14's `health` and
/// `update` (written once the decoder accepts them on a docker spec).
extension ComposeImport {
    /// Whether the decoder takes `update` on a docker spec: asked of the decoder itself.
    static let containerUpdateAccepted = SpecDecoder.decode(
        file: "probe.json", bytes: Array(#"{"name": "probe", "image": "probe:1", "update": {"parallelism": 1}}"#.utf8)).isValid

    /// `deploy.update_config` in issue 14's terms: `{"parallelism", "delay", "order",
    /// "failureAction", "monitor"}`; other keys are reported.
    mutating func update(_ node: JSONNode, _ path: String) -> JSONValue? {
        guard let members = node.members else {
            fail(node, path, "expected a mapping, got \(node.typeName)")
            return nil
        }
        var out: [String: JSONValue] = [:]
        for member in members {
            let memberPath = "\(path).\(member.key)"
            switch member.key {
            case "parallelism":
                if case .number(let n) = member.value.kind { out["parallelism"] = .number(n) } else { fail(member.value, memberPath, "expected a number, got \(member.value.typeName)") }
            case "delay", "monitor", "order":
                if let text = text(member.value, memberPath) { out[member.key] = .string(text) }
            case "failure_action":
                if let text = text(member.value, memberPath) { out["failureAction"] = .string(text) }
            default:
                note(member.keyPosition, memberPath, "not translated (berth's update takes parallelism, delay, order, failure_action and monitor)")
            }
        }
        return .object(out)
    }

    /// `healthcheck` in issue 14's terms: `{"cmd", "interval", "timeout", "retries", "startPeriod"}`.
    mutating func health(_ node: JSONNode, _ path: String) -> JSONValue? {
        guard let members = node.members else {
            fail(node, path, "expected a mapping, got \(node.typeName)")
            return nil
        }
        var out: [String: JSONValue] = [:]
        for member in members {
            let memberPath = "\(path).\(member.key)"
            switch member.key {
            case "test":
                guard var words = texts(member.value, memberPath, split: false) else { continue }
                if case .string = member.value.kind { words = ["CMD-SHELL"] + words }
                switch words.first {
                case "CMD": out["cmd"] = .array(words.dropFirst().map(JSONValue.string))
                case "CMD-SHELL": out["cmd"] = .array(["/bin/sh", "-c", words.dropFirst().joined(separator: " ")].map(JSONValue.string))
                case "NONE": note(member.keyPosition, memberPath, "not translated (berth's health has no NONE: leave health out)")
                default: fail(member.value, memberPath, "a test list starts with CMD, CMD-SHELL or NONE")
                }
            case "interval", "timeout", "start_period":
                guard let text = text(member.value, memberPath) else { continue }
                guard let seconds = ComposeDuration.seconds(text) else { fail(member.value, memberPath, "\"\(text)\" is not a duration like 5s or 1m30s"); continue }
                // berth reads one number and one unit ("90s"); "1m30s" is written in seconds.
                out[member.key == "start_period" ? "startPeriod" : member.key] = .string(DurationText.nanoseconds(text) != nil ? text : "\(seconds)s")
            case "retries":
                if case .number(let n) = member.value.kind { out["retries"] = .number(n) } else { fail(member.value, memberPath, "expected a number, got \(member.value.typeName)") }
            case "disable", "start_interval":
                note(member.keyPosition, memberPath, "not translated (berth's health takes test, interval, timeout, retries and start_period)")
            default:
                note(member.keyPosition, memberPath, "not translated (berth's health takes test, interval, timeout, retries and start_period)")
            }
        }
        guard out["cmd"] != nil else {
            if node.member("test") == nil { note(node.position, path, "not translated (berth's health needs the test command; the image's own check stays)") }
            return nil
        }
        return .object(out)
    }
}

/// Compose durations: `1h`, `1m30s`, `10s`, `500ms`, `1.5s`, `2us`.
enum ComposeDuration {
    /// Whole seconds, rounded up; nil when the text is not a duration.
    static func seconds(_ text: String) -> Int? {
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000001), ("µs", 0.000001), ("ns", 1e-9), ("h", 3600), ("m", 60), ("s", 1)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += value * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return Int(total.rounded(.up))
    }
}
