import BerthJSON
import BerthModel
import FoundationEssentials

/// One berth per owner on a cluster: a `coordination.k8s.io/v1` Lease named after the owner,
/// in the kubeconfig context's namespace, as client-go's leader election keeps one.
///
///     let lease = KubeLease(client: client, namespace: "default")
///     let held = try await lease.acquire(owner: "shop", holder: "host-a/4242", duration: .seconds(15))
///     try await held.renew()      // well within the duration, e.g. every third of it
///     try await held.release()
///
/// Acquiring creates the Lease (POST, so two acquirers cannot both win); one that exists is
/// taken over only when it has expired (renewTime + leaseDurationSeconds passed) or is already
/// this holder's, with a PUT that carries the resourceVersion read, so a concurrent taker makes
/// one of the two fail with 409. A Lease held by another is a `.locked` error naming its holder.
public struct KubeLease: Sendable {
    public let client: KubeClient
    public let namespace: String
    /// The clock, injected so tests can make a lease expire without waiting.
    let now: @Sendable () -> Date

    public init(client: KubeClient, namespace: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.client = client
        self.namespace = namespace
        self.now = now
    }

    /// "berth-owner-shop": the Lease of an owner.
    public static func name(owner: String) -> String { "berth-owner-" + owner }

    static let collection = "/apis/coordination.k8s.io/v1/namespaces/"

    func collectionPath() -> String { Self.collection + namespace + "/leases" }
    func objectPath(_ name: String) -> String { collectionPath() + "/" + name }

    /// Takes the owner's lease for `holder` (e.g. "host/pid"), or throws `.locked` naming the
    /// current holder and when its lease expires.
    public func acquire(owner: String, holder: String, duration: Duration) async throws -> KubeLeaseHandle {
        let name = Self.name(owner: owner)
        let seconds = max(1, Int(duration.components.seconds))
        let stamp = KubeLeaseTime.format(now())
        let fresh: JSONValue = .object([
            "apiVersion": .string("coordination.k8s.io/v1"), "kind": .string("Lease"),
            "metadata": .object(["name": .string(name), "labels": .object([Labels.owner: .string(owner)])]),
            "spec": .object([
                "holderIdentity": .string(holder), "leaseDurationSeconds": .number(String(seconds)),
                "acquireTime": .string(stamp), "renewTime": .string(stamp), "leaseTransitions": .number("0"),
            ]),
        ])
        let doing = "taking the lease \(namespace)/\(name) for \(holder)"
        let (status, created) = try await client.request("POST", collectionPath() + "?fieldManager=berth", body: fresh,
                                                         doing: doing, accept: [409])
        if status != 409, let created { return KubeLeaseHandle(lease: self, object: created, holder: holder) }
        let (_, found) = try await client.request("GET", objectPath(name), doing: doing, accept: [404])
        guard let found else {
            // Released between our create and our read: the next attempt creates it.
            throw BerthError(.locked, doing, cause: "the lease was released meanwhile; try again", isRetryable: true)
        }
        let current = KubeLeaseState(found)
        guard current.holder == holder || current.hasExpired(at: now()) else {
            throw BerthError(.locked, "owner \(owner) is in use on the cluster", cause: current.describe(name: "\(namespace)/\(name)", at: now()))
        }
        var spec = found["spec"]?.objectValue ?? [:]
        if current.holder != holder {
            spec["leaseTransitions"] = .number(String(current.transitions + 1))
            spec["acquireTime"] = .string(stamp)
        }
        spec["holderIdentity"] = .string(holder)
        spec["leaseDurationSeconds"] = .number(String(seconds))
        spec["renewTime"] = .string(stamp)
        let (putStatus, taken) = try await client.request("PUT", objectPath(name) + "?fieldManager=berth",
                                                          body: found.merging(.object(["spec": .object(spec)])), doing: doing,
                                                          accept: [409])
        guard putStatus != 409, let taken else {
            throw BerthError(.locked, "owner \(owner) is in use on the cluster",
                             cause: "another berth took the expired lease \(namespace)/\(name) first", isRetryable: true)
        }
        return KubeLeaseHandle(lease: self, object: taken, holder: holder)
    }
}

/// A lease this process holds: renew it within its duration, release it when done.
public actor KubeLeaseHandle {
    public nonisolated let lease: KubeLease
    public nonisolated let holder: String
    public nonisolated let name: String
    private var object: JSONValue

    init(lease: KubeLease, object: JSONValue, holder: String) {
        self.lease = lease
        self.object = object
        self.holder = holder
        self.name = object["metadata"]?["name"]?.stringValue ?? ""
    }

    /// The resourceVersion of the Lease as this holder last wrote it.
    public var resourceVersion: String? { object["metadata"]?["resourceVersion"]?.stringValue }

    /// Moves renewTime to now with the resourceVersion last written: a 409 means someone took
    /// the lease (it had expired), and is a `.locked` error naming the new holder.
    public func renew() async throws {
        let doing = "renewing the lease \(lease.namespace)/\(name)"
        for attempt in 1...2 {
            var renewed = object
            renewed = renewed.merging(.object(["spec": .object(["renewTime": .string(KubeLeaseTime.format(lease.now()))])]))
            let (status, body) = try await lease.client.request("PUT", lease.objectPath(name) + "?fieldManager=berth", body: renewed,
                                                                doing: doing, accept: [404, 409])
            if (200..<300).contains(status), let body {
                object = body
                return
            }
            // A write of this holder's own that this handle did not see (a renew cancelled on
            // the wire) makes a 409 too: still ours, so renew from what is there now.
            let (_, found) = try await lease.client.request("GET", lease.objectPath(name), doing: doing, accept: [404])
            if attempt == 1, status == 409, let found, KubeLeaseState(found).holder == holder {
                object = found
                continue
            }
            let who = found.map { KubeLeaseState($0).describe(name: "\(lease.namespace)/\(name)", at: lease.now()) }
                ?? "the lease \(lease.namespace)/\(name) was deleted"
            throw BerthError(.locked, "lost the lease \(lease.namespace)/\(name) held by \(holder)", cause: who)
        }
        throw BerthError(.locked, "lost the lease \(lease.namespace)/\(name) held by \(holder)")
    }

    /// Deletes the Lease if it is still as this holder wrote it (a precondition on its
    /// resourceVersion), so a lease someone else has taken since is left to them.
    /// A renew cancelled on the wire at shutdown may still have landed, leaving this handle one
    /// version behind: on 409 the Lease is read again, and deleted at its new version if this
    /// holder still holds it.
    public func release() async throws {
        guard var version = resourceVersion else { return }
        let doing = "releasing the lease \(lease.namespace)/\(name)"
        for _ in 0..<3 {
            let options: JSONValue = .object([
                "apiVersion": .string("v1"), "kind": .string("DeleteOptions"),
                "preconditions": .object(["resourceVersion": .string(version)]),
            ])
            let (status, _) = try await lease.client.request("DELETE", lease.objectPath(name), body: options, doing: doing, accept: [404, 409])
            guard status == 409 else { return }
            let (_, found) = try await lease.client.request("GET", lease.objectPath(name), doing: doing, accept: [404])
            guard let found, KubeLeaseState(found).holder == holder,
                  let current = found["metadata"]?["resourceVersion"]?.stringValue else { return }
            version = current
        }
    }
}

/// What a Lease says about its holder.
struct KubeLeaseState {
    var holder: String?
    var renewed: Date?
    var duration: Int
    var transitions: Int

    init(_ object: JSONValue) {
        let spec = object["spec"]
        holder = spec?["holderIdentity"]?.stringValue
        renewed = (spec?["renewTime"]?.stringValue ?? spec?["acquireTime"]?.stringValue).flatMap(KubeLeaseTime.parse)
        duration = spec?["leaseDurationSeconds"]?.intValue ?? 0
        transitions = spec?["leaseTransitions"]?.intValue ?? 0
    }

    /// Expired when renewTime + leaseDurationSeconds has passed; a lease without a holder or a
    /// time is free.
    func hasExpired(at now: Date) -> Bool {
        guard holder?.isEmpty == false, let renewed else { return true }
        return renewed.addingTimeInterval(TimeInterval(duration)) <= now
    }

    func describe(name: String, at now: Date) -> String {
        let who = holder.map { "held by \($0)" } ?? "held"
        guard let renewed else { return "the lease \(name) is \(who)" }
        let age = Int(now.timeIntervalSince(renewed).rounded())
        let left = Int(renewed.addingTimeInterval(TimeInterval(duration)).timeIntervalSince(now).rounded(.up))
        return "the lease \(name) is \(who) (renewed \(age) s ago, expires in \(max(0, left)) s unless renewed); "
            + "stop that berth, or wait for its lease to expire"
    }
}

/// Lease times: RFC 3339 with microseconds ("2026-12-04T10:39:06.636773Z"), as client-go writes them.
enum KubeLeaseTime {
    static func format(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down)
        let micros = Int(((date.timeIntervalSince1970 - whole) * 1_000_000).rounded(.down))
        let base = formatter().string(from: Date(timeIntervalSince1970: whole)).dropLast()  // drop "Z"
        return base + "." + String(repeating: "0", count: max(0, 6 - String(micros).count)) + String(micros) + "Z"
    }

    static func parse(_ text: String) -> Date? {
        guard text.hasSuffix("Z") else { return formatter().date(from: text) }
        let body = text.dropLast()
        let parts = body.split(separator: ".", maxSplits: 1)
        guard let base = formatter().date(from: parts[0] + "Z") else { return nil }
        guard parts.count == 2, let fraction = Double("0." + parts[1]) else { return base }
        return base.addingTimeInterval(fraction)
    }

    private static func formatter() -> LeaseTimeFormat { LeaseTimeFormat() }
}

/// Whole-second RFC 3339 ("2026-12-04T10:39:06Z"), the part of a lease time before its
/// microseconds; Date.ISO8601FormatStyle is FoundationEssentials' ISO8601DateFormatter.
private struct LeaseTimeFormat {
    let style = Date.ISO8601FormatStyle()

    func string(from date: Date) -> String { style.format(date) }

    func date(from text: String) -> Date? { try? style.parse(text) }
}
