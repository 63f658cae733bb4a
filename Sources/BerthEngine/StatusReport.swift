import BerthJournal
import FoundationEssentials
import BerthModel

/// What `berth status` shows per spec; written to state/status.json after every reconcile.
public struct StatusReport: Sendable, Codable {
    public struct Entry: Sendable, Codable, Equatable {
        public var target: String
        public var kind: String
        public var name: String
        public var desiredReplicas: Int
        public var runningReplicas: Int
        public var configHashMatches: Bool
        /// "current", "differs" (made from another configuration), "missing" (nothing made yet),
        /// "removed" (its spec is gone: deleted, or held).
        public var config: String?
        public var lastAction: String?
        public var lastActionTime: String?
        public var lastError: String?
        /// The last death of one of its containers: exit code and time, as the engine says.
        public var lastExitCode: Int?
        public var lastDeath: String?
        /// Kubernetes specs that make other kinds than a Deployment count objects, not replicas.
        public var objects: Int?
        /// Kubernetes Deployments the spec made, with their rollout as the API reports it.
        public var rollouts: [KubeRollout]?
        /// Swarm: keys set on the service that berth does not send (changed by hand).
        public var unmanaged: [String]? = nil
        /// What the spec says besides "running": "stopped (by spec)", "suspended". Nil for running.
        public var intent: String? = nil
        /// Docker: what the containers' health checks say now ("healthy", "unhealthy",
        /// "starting"; counted when they differ). Nil without a health check.
        public var health: String? = nil
    }

    /// One target in use and whether berth can reach it.
    public struct Target: Sendable, Codable, Equatable {
        public var name: String
        /// "ok" or "unreachable".
        public var state: String
        /// When it became unreachable (RFC 3339), and what was said.
        public var since: String?
        public var error: String?
        public init(name: String, state: String, since: String? = nil, error: String? = nil) {
            self.name = name; self.state = state; self.since = since; self.error = error
        }
    }

    /// A removed spec whose deletion waits for a person.
    public struct Held: Sendable, Codable, Equatable {
        public var spec: String
        public var target: String
        public var resources: Int
        public var since: String
        public var released: Bool
    }

    public var owner: String
    public var time: String
    /// The Docker Engine's state in a word: "ok", "unreachable since …", "not used".
    public var engine: String
    public var targets: [Target]?
    public var entries: [Entry]
    public var errors: [String]
    public var notes: [String]
    public var held: [Held]?
    public var invalidFiles: [String]?
    /// Where the specs come from, when that is a git repository (`--git`).
    public var source: SourceStatus?

    /// Containers count themselves; a service counts its running tasks; a Deployment its ready pods.
    static func running(_ found: [ObservedResource]) -> Int {
        let rollouts = StatusReport.rollouts(found)
        if let rollouts { return rollouts.reduce(0) { $0 + $1.ready } }
        return found.reduce(0) { $0 + ($1.running ?? ($1.state == .running ? 1 : 0)) }
    }

    /// A Swarm service's keys berth does not send; nil when there are none.
    static func unmanaged(_ spec: Spec, _ found: [ObservedResource], owner: String) -> [String]? {
        guard spec.platform == .swarm, let service = found.first, let native = service.native else { return nil }
        var keys = NativeDrift.unmanaged(desired: ServiceBody.make(spec: spec, owner: owner, configHash: spec.configHash), observed: native)
        // The adapter attaches the service to the owner's overlay (and the spec's networks)
        // by ID, after the body is made: those attachments are berth's.
        if !NetworkNames.wanted(spec).isEmpty { keys.removeAll { $0 == "TaskTemplate.Networks" } }
        return keys.isEmpty ? nil : keys
    }

    /// nil unless the spec made Deployments (other Kubernetes kinds have no rollout).
    static func rollouts(_ found: [ObservedResource]) -> [KubeRollout]? {
        let deployments = found.filter { $0.platform == .kubernetes && $0.kind == "Deployment" }
        guard !deployments.isEmpty else { return nil }
        return deployments.compactMap { resource in resource.native.map { KubeRollout(deployment: $0, object: resource.id) } }
            .sorted { $0.object < $1.object }
    }

    /// A Kubernetes spec is current when every object it makes is there with its hash, and
    /// nothing else of it is.
    static func kubeHashesMatch(_ spec: Spec, _ found: [ObservedResource], _ context: PlanContext) -> Bool {
        let facts = context.kubeFacts(spec.target)
        let wanted = KubeObjects.make(spec: spec, owner: context.owner, defaultNamespace: facts.namespace,
                                      isNamespaced: { facts.isNamespaced(apiVersion: $0, kind: $1) })
        return wanted.count == found.count && Set(wanted.map(\.configHash)) == Set(found.compactMap(\.configHash))
    }

    static func kind(_ platform: PlatformID) -> String {
        switch platform {
        case .docker: "container"
        case .kubernetes: "objects"
        default: "service"
        }
    }

    /// Joins desired and observed per spec; resources whose spec is gone appear with 0 desired.
    public static func make(owner: String, time: String, engine: String, desired: DesiredState, observed: [ObservedResource],
                            notes: [String], records: [String: SpecRecord], context: PlanContext? = nil,
                            blocked: [BlockedSpec] = []) -> StatusReport {
        let blockedBy = Dictionary(blocked.map { ($0.key.target.qualifying($0.key.name), $0.message) }, uniquingKeysWith: { a, _ in a })
        var byName: [String: [ObservedResource]] = [:]
        // Kubernetes observations include objects a spec names that are someone else's (for the
        // planner to refuse): they are not this owner's to show.
        // Volumes and networks are named by themselves, not by a spec: they are not spec entries.
        for resource in observed where !resource.isVolume && resource.kind != NetworkNames.kind
            && (resource.platform != .kubernetes || resource.kubeOwner == owner) {
            if let name = resource.name { byName[resource.target.qualifying(name), default: []].append(resource) }
        }
        var entries: [Entry] = []
        var seen: Set<String> = []
        for spec in desired.specs {
            let key = spec.target.qualifying(spec.name)
            seen.insert(key)
            let found = byName[key] ?? []
            let hash = spec.configHash
            let matches = spec.platform == .kubernetes
                ? StatusReport.kubeHashesMatch(spec, found, context ?? PlanContext(owner: owner))
                : found.allSatisfy { $0.configHash == hash }
            let exit = StatusReport.lastExit(found, records[key])
            let manifestsOnly = spec.platform == .kubernetes && (StatusReport.rollouts(found) ?? []).isEmpty
            entries.append(Entry(
                target: spec.target.rawValue, kind: StatusReport.kind(spec.platform), name: spec.name.rawValue,
                desiredReplicas: spec.replicas, runningReplicas: StatusReport.running(found),
                configHashMatches: matches && !found.isEmpty,
                config: found.isEmpty ? "missing" : matches ? "current" : "differs",
                lastAction: records[key]?.lastAction, lastActionTime: records[key]?.lastActionTime, lastError: blockedBy[key] ?? records[key]?.lastError,
                lastExitCode: exit?.code, lastDeath: exit?.finishedAt,
                objects: manifestsOnly ? found.count : nil,
                rollouts: StatusReport.rollouts(found), unmanaged: StatusReport.unmanaged(spec, found, owner: owner),
                intent: spec.suspend || desired.suspended.contains(spec.name) ? "suspended"
                    : spec.state == .stopped ? "stopped (by spec)" : nil))
            entries[entries.count - 1].health = StatusReport.health(found)
        }
        for (key, found) in byName where !seen.contains(key) {
            let first = found[0]
            entries.append(Entry(
                target: first.target.rawValue, kind: first.kind, name: first.name?.rawValue ?? "?", desiredReplicas: 0,
                runningReplicas: StatusReport.running(found), configHashMatches: false, config: "removed",
                lastAction: records[key]?.lastAction, lastActionTime: records[key]?.lastActionTime, lastError: records[key]?.lastError,
                lastExitCode: StatusReport.lastExit(found, records[key])?.code, lastDeath: StatusReport.lastExit(found, records[key])?.finishedAt,
                objects: first.platform == .kubernetes ? found.count : nil,
                rollouts: StatusReport.rollouts(found), intent: desired.suspended.contains(first.name ?? "") ? "suspended" : nil))
        }
        entries.sort { ($0.target, $0.name) < ($1.target, $1.name) }
        return StatusReport(owner: owner, time: time, engine: engine, targets: nil, entries: entries,
                            errors: desired.errors.map(\.description), notes: notes, held: nil,
                            invalidFiles: desired.invalidFiles.isEmpty ? nil : desired.invalidFiles.sorted())
    }

    /// A spec on a target that could not be observed: what runs there is unknown, not zero.
    public static func unknown(_ spec: Spec) -> Entry {
        Entry(target: spec.target.rawValue, kind: kind(spec.platform), name: spec.name.rawValue, desiredReplicas: spec.replicas, runningReplicas: 0,
              configHashMatches: false, config: "unknown", lastError: "\(spec.target) could not be observed")
    }

    /// The Docker Engine in a word, for the first line of status.
    public static func engineWord(_ targets: [Target]) -> String {
        // Containers and Swarm services are both the Docker Engine's.
        guard let docker = targets.first(where: { $0.name == "docker" && $0.state != "ok" }) ?? targets.first(where: { $0.name == "swarm" && $0.state != "ok" })
                ?? targets.first(where: { $0.name == "docker" || $0.name == "swarm" }) else { return "not used" }
        return docker.state == "ok" ? "ok" : "unreachable since \(docker.since ?? "?")"
    }

    public static func held(_ held: HeldDeletions) -> [Held]? {
        let list = held.entries.keys.sorted().map { key in
            let e = held.entries[key]!
            return Held(spec: HeldDeletions.name(of: key), target: HeldDeletions.target(of: key), resources: e.resources,
                        since: e.since, released: e.released)
        }
        return list.isEmpty ? nil : list
    }

    /// "healthy" when every checked container says so; "1 healthy, 1 unhealthy" when they differ.
    static func health(_ found: [ObservedResource]) -> String? {
        let words = found.compactMap(\.health)
        guard let first = words.first else { return nil }
        let counts = Dictionary(words.map { ($0, 1) }, uniquingKeysWith: +)
        if counts.count == 1 { return first }
        return counts.keys.sorted().map { "\(counts[$0]!) \($0)" }.joined(separator: ", ")
    }

    /// The newest death among its containers now, or the one the watch remembers from before a restart.
    static func lastExit(_ found: [ObservedResource], _ record: SpecRecord?) -> ObservedResource.ExitInfo? {
        let seen = found.compactMap(\.exit).max { $0.finishedAt < $1.finishedAt }
        guard let remembered = record?.lastExit else { return seen }
        guard let seen else { return remembered }
        return seen.finishedAt >= remembered.finishedAt ? seen : remembered
    }
}

/// What the controller remembers of each spec between reconciles.
public struct SpecRecord: Sendable {
    public var lastAction: String?
    public var lastActionTime: String?
    public var lastError: String?
    /// The newest container death seen for this spec: a healed container runs again and its
    /// inspect no longer shows how it died, so the watch remembers.
    public var lastExit: ObservedResource.ExitInfo?
    public init() {}
}

extension Controller {
    func status() -> StatusReport {
        var report = StatusReport.make(
            owner: configuration.owner, time: Timestamp.rfc3339(Date()), engine: "ok",
            desired: lastDesired, observed: lastObserved, notes: lastNotes, records: records, context: lastContext,
            blocked: lastBlocked)
        report.targets = platforms.map(\.target.rawValue).filter { contacted.contains(TargetName($0)) || targetsDown[$0] != nil }.map { target in
            if let down = targetsDown[target] { return StatusReport.Target(name: target, state: "unreachable", since: down.since, error: down.error) }
            return StatusReport.Target(name: target, state: "ok")
        }
        report.engine = StatusReport.engineWord(report.targets ?? [])
        // What was seen before a target went away is no longer known to be true.
        for index in report.entries.indices where targetsDown[report.entries[index].target] != nil {
            report.entries[index].config = "unknown"
            report.entries[index].lastError = report.entries[index].lastError ?? "\(report.entries[index].target) unreachable"
        }
        report.held = StatusReport.held(heldDeletions())
        report.notes += deletionsWaiting.keys.sorted().compactMap { deletionsWaiting[$0] }
        return report
    }
}
