import Foundation

/// What the fault proxy can do to one request instead of passing it through.
public enum FaultKind: String, Sendable, CaseIterable, Hashable {
    /// Answer 500 with a Docker-style `{"message": ...}` body, without contacting the engine.
    case http500 = "http-500"
    /// Answer 503 the same way (what a daemon that is shutting down says).
    case http503 = "http-503"
    /// Forward the request, pass the response head and part of its body, then drop the connection.
    case resetMidResponse = "reset"
    /// Read the request and never answer, until the client gives up (its timeout) or the proxy stops.
    case stall = "stall"
    /// GET /events only: pass the stream through, then cut it after some events or seconds.
    case cutEvents = "cut-events"
    /// Forward the request so the engine carries it out, then drop the connection before any
    /// response byte: the client cannot know whether it happened.
    case dropResponse = "drop"
    /// POST /services/ID/update?version=N only: forwarded with version N-1, so the engine
    /// answers "update out of sequence" as when somebody else changed the service in between.
    case staleVersion = "stale-version"
}

/// One line of a schedule: requests matching `method` and `pathContains` get `kind` with
/// `probability`, for at most `limit` matching requests after skipping the first `skip`.
public struct FaultRule: Sendable {
    public var kind: FaultKind
    /// nil matches any method.
    public var method: String?
    /// A substring of the path (the API version prefix included), e.g. "/containers/create"; nil matches any.
    public var pathContains: String?
    public var probability: Double
    /// At most this many injections by this rule; nil is unlimited.
    public var limit: Int?

    public init(_ kind: FaultKind, method: String? = nil, path pathContains: String? = nil, probability: Double = 1,
                limit: Int? = nil) {
        self.kind = kind; self.method = method; self.pathContains = pathContains
        self.probability = probability; self.limit = limit
    }

    func matches(method: String, path: String) -> Bool {
        if let m = self.method, m != method { return false }
        if let p = pathContains, !path.contains(p) { return false }
        // Only the event stream can be cut; anything else would be a plain reset.
        if kind == .cutEvents { return path.contains("/events") }
        if kind == .staleVersion { return path.contains("/update?version=") }
        return true
    }
}

/// A seeded, reproducible decision per request: the same seed and the same request order give
/// the same faults. Rules are tried in order; the first that matches and draws its
/// probability wins.
public struct FaultSchedule: Sendable {
    public let seed: UInt64
    public var rules: [FaultRule]
    /// `cutEvents`: cut after this many event lines have passed...
    public var cutAfterEvents: Int
    /// ...or after this long, whichever comes first.
    public var cutAfterSeconds: Double
    /// `stall`: the longest a connection is held before the proxy drops it itself.
    public var stallSeconds: Double

    private var state: UInt64
    private var used: [Int]

    /// A schedule with `seed`; a random seed when nil (printed by the proxy so a run can be repeated).
    public init(seed: UInt64? = nil, rules: [FaultRule], cutAfterEvents: Int = 1, cutAfterSeconds: Double = 5,
                stallSeconds: Double = 120) {
        self.seed = seed ?? UInt64.random(in: 1...UInt64.max)
        self.rules = rules
        self.cutAfterEvents = cutAfterEvents; self.cutAfterSeconds = cutAfterSeconds; self.stallSeconds = stallSeconds
        state = self.seed
        used = Array(repeating: 0, count: rules.count)
    }

    /// A mix of 500, 503, reset, stall and drop, each on about `fraction / 5` of all requests.
    public static func mixed(seed: UInt64? = nil, fraction: Double, stallSeconds: Double = 120) -> FaultSchedule {
        let each = fraction / 5
        // Conditional probabilities, so each kind gets about `each` of all requests overall.
        var remaining = 1.0
        var rules: [FaultRule] = []
        for kind in [FaultKind.http500, .http503, .resetMidResponse, .stall, .dropResponse] {
            rules.append(FaultRule(kind, probability: min(1, each / remaining)))
            remaining -= each
        }
        return FaultSchedule(seed: seed, rules: rules, stallSeconds: stallSeconds)
    }

    /// The fault for the next request, if any. Draws one number per matching rule, so the
    /// sequence depends only on the seed and the requests seen.
    public mutating func decide(method: String, path: String) -> FaultKind? {
        for index in rules.indices where rules[index].matches(method: method, path: path) {
            if let limit = rules[index].limit, used[index] >= limit { continue }
            if nextUnit() < rules[index].probability {
                used[index] += 1
                return rules[index].kind
            }
        }
        return nil
    }

    /// splitmix64: tiny, good enough, and the same on every machine.
    mutating func nextUnit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
