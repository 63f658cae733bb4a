import BerthJournal
import Foundation
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
        public var lastAction: String?
        public var lastActionTime: String?
        public var lastError: String?
        /// Kubernetes Deployments the spec made, with their rollout as the API reports it.
        public var rollouts: [KubeRollout]?
        /// Swarm: keys set on the service that berth does not send (changed by hand).
        public var unmanaged: [String]? = nil
    }

    public var owner: String
    public var time: String
    public var engine: String
    public var entries: [Entry]
    public var errors: [String]
    public var notes: [String]

    /// Containers count themselves; a service counts its running tasks; a Deployment its ready pods.
    static func running(_ found: [ObservedResource]) -> Int {
        let rollouts = StatusReport.rollouts(found)
        if let rollouts { return rollouts.reduce(0) { $0 + $1.ready } }
        return found.reduce(0) { $0 + ($1.running ?? ($1.state == .running ? 1 : 0)) }
    }

    /// A Swarm service's keys berth does not send; nil when there are none.
    static func unmanaged(_ spec: Spec, _ found: [ObservedResource], owner: String) -> [String]? {
        guard spec.target == "swarm", let service = found.first, let native = service.native else { return nil }
        let keys = NativeDrift.unmanaged(desired: ServiceBody.make(spec: spec, owner: owner, configHash: spec.configHash), observed: native)
        return keys.isEmpty ? nil : keys
    }

    /// nil unless the spec made Deployments (other Kubernetes kinds have no rollout).
    static func rollouts(_ found: [ObservedResource]) -> [KubeRollout]? {
        let deployments = found.filter { $0.target == "kubernetes" && $0.kind == "Deployment" }
        guard !deployments.isEmpty else { return nil }
        return deployments.compactMap { resource in resource.native.map { KubeRollout(deployment: $0, object: resource.id) } }
            .sorted { $0.object < $1.object }
    }

    /// A Kubernetes spec is current when every object it makes is there with its hash, and
    /// nothing else of it is.
    static func kubeHashesMatch(_ spec: Spec, _ found: [ObservedResource], _ context: PlanContext) -> Bool {
        let wanted = KubeObjects.make(spec: spec, owner: context.owner, defaultNamespace: context.kubeNamespace,
                                      isNamespaced: { context.isNamespaced(apiVersion: $0, kind: $1) })
        return wanted.count == found.count && Set(wanted.map(\.configHash)) == Set(found.compactMap(\.configHash))
    }

    static func kind(_ target: String) -> String {
        switch target {
        case "docker": "container"
        case "kubernetes": "objects"
        default: "service"
        }
    }

    /// Joins desired and observed per spec; resources whose spec is gone appear with 0 desired.
    public static func make(owner: String, time: String, engine: String, desired: DesiredState, observed: [ObservedResource],
                            notes: [String], records: [String: SpecRecord], context: PlanContext? = nil,
                            blocked: [BlockedSpec] = []) -> StatusReport {
        let blockedBy = Dictionary(blocked.map { ($0.key.target + "/" + $0.key.name, $0.message) }, uniquingKeysWith: { a, _ in a })
        var byName: [String: [ObservedResource]] = [:]
        for resource in observed { if let name = resource.name { byName[resource.target + "/" + name, default: []].append(resource) } }
        var entries: [Entry] = []
        var seen: Set<String> = []
        for spec in desired.specs {
            let key = spec.target + "/" + spec.name
            seen.insert(key)
            let found = byName[key] ?? []
            let hash = spec.configHash
            entries.append(Entry(
                target: spec.target, kind: StatusReport.kind(spec.target), name: spec.name,
                desiredReplicas: spec.replicas, runningReplicas: StatusReport.running(found),
                configHashMatches: spec.target == "kubernetes"
                    ? StatusReport.kubeHashesMatch(spec, found, context ?? PlanContext(owner: owner))
                    : found.allSatisfy { $0.configHash == hash },
                lastAction: records[key]?.lastAction, lastActionTime: records[key]?.lastActionTime,
                lastError: blockedBy[key] ?? records[key]?.lastError,
                rollouts: StatusReport.rollouts(found), unmanaged: StatusReport.unmanaged(spec, found, owner: owner)))
        }
        for (key, found) in byName where !seen.contains(key) {
            let first = found[0]
            entries.append(Entry(
                target: first.target, kind: first.kind, name: first.name ?? "?", desiredReplicas: 0,
                runningReplicas: StatusReport.running(found), configHashMatches: false,
                lastAction: records[key]?.lastAction, lastActionTime: records[key]?.lastActionTime, lastError: records[key]?.lastError,
                rollouts: StatusReport.rollouts(found)))
        }
        entries.sort { ($0.target, $0.name) < ($1.target, $1.name) }
        return StatusReport(owner: owner, time: time, engine: engine, entries: entries,
                            errors: desired.errors.map(\.description), notes: notes)
    }
}

/// What the controller remembers of each spec between reconciles.
public struct SpecRecord: Sendable {
    public var lastAction: String?
    public var lastActionTime: String?
    public var lastError: String?
    public init() {}
}

extension Controller {
    func status() -> StatusReport {
        StatusReport.make(owner: configuration.owner, time: Timestamp.rfc3339(Date()), engine: engineDown ? "unreachable" : "ok",
                          desired: lastDesired, observed: lastObserved, notes: lastNotes, records: records, context: lastContext,
                          blocked: lastBlocked)
    }
}
