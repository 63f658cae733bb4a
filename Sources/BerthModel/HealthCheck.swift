/// The portable `health` field: a command run inside the container whose exit status says
/// whether the workload is healthy. Docker's `Config.Healthcheck`, Swarm's
/// `ContainerSpec.Healthcheck` and a Kubernetes readiness probe are each made from it.
public struct HealthCheck: Sendable, Equatable {
    /// Run without a shell (Docker's `["CMD", …]`, a probe's `exec.command`).
    public var command: [String]
    /// Nanoseconds, as the Engine API wants them; nil leaves the platform's default.
    public var intervalNanoseconds: Int64?
    public var timeoutNanoseconds: Int64?
    public var retries: Int?
    public var startPeriodNanoseconds: Int64?

    public init(command: [String], intervalNanoseconds: Int64? = nil, timeoutNanoseconds: Int64? = nil,
                retries: Int? = nil, startPeriodNanoseconds: Int64? = nil) {
        self.command = command; self.intervalNanoseconds = intervalNanoseconds; self.timeoutNanoseconds = timeoutNanoseconds
        self.retries = retries; self.startPeriodNanoseconds = startPeriodNanoseconds
    }

    /// The Engine API's HealthConfig (containers and Swarm tasks alike); also the canonical
    /// form hashed into the config hash.
    public var engineJSON: JSONValue {
        var object: [String: JSONValue] = ["Test": .array((["CMD"] + command).map(JSONValue.string))]
        if let intervalNanoseconds { object["Interval"] = .number(String(intervalNanoseconds)) }
        if let timeoutNanoseconds { object["Timeout"] = .number(String(timeoutNanoseconds)) }
        if let retries { object["Retries"] = .number(String(retries)) }
        if let startPeriodNanoseconds { object["StartPeriod"] = .number(String(startPeriodNanoseconds)) }
        return .object(object)
    }

    /// A Kubernetes readiness probe: whole seconds, rounded up (a probe counts in seconds).
    public var readinessProbe: JSONValue {
        func seconds(_ ns: Int64) -> JSONValue { .number(String(max(1, (ns + 999_999_999) / 1_000_000_000))) }
        var probe: [String: JSONValue] = ["exec": .object(["command": .array(command.map(JSONValue.string))])]
        if let intervalNanoseconds { probe["periodSeconds"] = seconds(intervalNanoseconds) }
        if let timeoutNanoseconds { probe["timeoutSeconds"] = seconds(timeoutNanoseconds) }
        if let retries, retries > 0 { probe["failureThreshold"] = .number(String(retries)) }
        if let startPeriodNanoseconds { probe["initialDelaySeconds"] = .number(String((startPeriodNanoseconds + 999_999_999) / 1_000_000_000)) }
        return .object(probe)
    }
}

/// "100ms", "1.5s", "5m", "1h"; a bare number is seconds (as berth's command options read it).
public enum DurationText {
    /// Nanoseconds, nil when `text` is not a duration of at most a week.
    public static func nanoseconds(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 6e10), ("h", 3.6e12)]
        var number = Substring(text)
        var scale = 1e9
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(number), value.isFinite, value * scale <= 6.048e14 else { return nil }
        return Int64((value * scale).rounded())
    }
}
