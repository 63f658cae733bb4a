/// The settings of a container the engine can change while it runs (`docker update`):
/// resources and the restart policy. berth compares what the spec sets with what the engine
/// reports, because the config hash label only says what berth sent, not what is there now.
///
/// Values are normalized so that every spelling of "no limit" (0, -1, null) compares equal.
public struct ContainerSettings: Sendable, Equatable {
    public var memory: Int64 = 0
    /// Compared only when the spec sets it: otherwise the engine derives it from `memory`.
    public var memorySwap: Int64?
    public var nanoCPUs: Int64 = 0
    public var cpuQuota: Int64 = 0
    public var pidsLimit: Int64 = 0
    /// "no", "always", "on-failure", "unless-stopped" ("" from the engine counts as "no").
    public var restart = "no"
    public var restartRetries: Int64 = 0

    public init() {}

    /// Read from a HostConfig (the engine's inspect, or the create body berth sends).
    public init(hostConfig host: JSONValue?) {
        memory = Self.limit(host?["Memory"])
        if let swap = host?["MemorySwap"], swap != .null { memorySwap = Self.limit(swap) }
        nanoCPUs = Self.limit(host?["NanoCpus"])
        cpuQuota = Self.limit(host?["CpuQuota"])
        pidsLimit = Self.limit(host?["PidsLimit"])
        let name = host?["RestartPolicy"]?["Name"]?.stringValue ?? ""
        restart = name.isEmpty ? "no" : name
        restartRetries = Int64(host?["RestartPolicy"]?["MaximumRetryCount"]?.intValue ?? 0)
    }

    /// What the spec asks for: its portable `restart`, then its native HostConfig over it,
    /// as `ContainerBody` merges them.
    public init(spec: Spec) {
        var host: [String: JSONValue] = [:]
        if let restart = spec.restart { host["RestartPolicy"] = .object(["Name": .string(restart.rawValue)]) }
        var merged = JSONValue.object(host)
        if let native = spec.docker?["HostConfig"] { merged = merged.merging(native) }
        self.init(hostConfig: merged)
        if spec.docker?["HostConfig"]?["MemorySwap"] == nil { memorySwap = nil }
    }

    private static func limit(_ value: JSONValue?) -> Int64 {
        guard let number = value?.intValue, number > 0 else { return 0 }
        return Int64(number)
    }

    /// One difference between the engine and the spec.
    public struct Drift: Sendable, Equatable {
        public var field: String
        public var observed: String
        public var wanted: String
        /// False when the engine's update call cannot restore it (it cannot lift a memory
        /// or CPU limit back to "none" on a running container): the container is replaced.
        public var inPlace: Bool
        public var description: String { "\(field) changed on the engine: \(observed), spec \(wanted)" }
    }

    /// What differs, in a fixed order, judged against `wanted`.
    public func drift(from wanted: ContainerSettings) -> [Drift] {
        var out: [Drift] = []
        func compare(_ field: String, _ seen: Int64, _ want: Int64, liftable: Bool) {
            guard seen != want else { return }
            out.append(Drift(field: field, observed: String(seen), wanted: String(want), inPlace: want != 0 || liftable))
        }
        compare("memory", memory, wanted.memory, liftable: false)
        if let want = wanted.memorySwap { compare("memory swap", memorySwap ?? 0, want, liftable: false) }
        compare("cpus (NanoCpus)", nanoCPUs, wanted.nanoCPUs, liftable: false)
        compare("cpu quota", cpuQuota, wanted.cpuQuota, liftable: true)
        compare("pids limit", pidsLimit, wanted.pidsLimit, liftable: true)
        if restart != wanted.restart || restartRetries != wanted.restartRetries {
            func text(_ s: ContainerSettings) -> String { s.restart + (s.restartRetries > 0 ? ":\(s.restartRetries)" : "") }
            out.append(Drift(field: "restart policy", observed: text(self), wanted: text(wanted), inPlace: true))
        }
        return out
    }

    /// The body of the engine's `POST /containers/{id}/update` that restores `self` (the
    /// spec's settings) where `drift` found differences. "No limit" is sent as -1 where the
    /// engine takes it (0 means "leave as it is" to the update call).
    public func updateBody(for drift: [Drift]) -> JSONValue {
        var body: [String: JSONValue] = [:]
        let fields = Set(drift.map(\.field))
        func number(_ n: Int64) -> JSONValue { .number(String(n)) }
        if fields.contains("memory") || fields.contains("memory swap") {
            body["Memory"] = number(memory)
            // The engine insists on a swap limit above the memory limit; at create it sets twice the memory.
            body["MemorySwap"] = number(memorySwap ?? (memory * 2))
        }
        if fields.contains("cpus (NanoCpus)") { body["NanoCpus"] = number(nanoCPUs) }
        if fields.contains("cpu quota") { body["CpuQuota"] = number(cpuQuota == 0 ? -1 : cpuQuota) }
        if fields.contains("pids limit") { body["PidsLimit"] = number(pidsLimit == 0 ? -1 : pidsLimit) }
        if fields.contains("restart policy") {
            body["RestartPolicy"] = .object(["Name": .string(restart), "MaximumRetryCount": number(restartRetries)])
        }
        return .object(body)
    }
}
