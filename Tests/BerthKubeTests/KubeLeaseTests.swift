import BerthHTTP
import BerthJSON
@testable import BerthKube
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// The one-berth-per-owner Lease against the test API server, which answers as transcript 20
/// recorded a real kube-apiserver: create, 409 AlreadyExists, renew with the resourceVersion,
/// 409 Conflict on a stale one, delete.
@Suite struct KubeLeaseTests {
    final class Cluster: @unchecked Sendable {
        let server = KubeTestServer(token: "lease-token")
        let client: KubeClient
        init() throws {
            try server.start()
            client = KubeClient(endpoint: server.endpoint, credentials: "test token", token: { "lease-token" })
            _ = try server.createNamespace("team")
        }
        func lease(now: @escaping @Sendable () -> Date = { Date() }) -> KubeLease { KubeLease(client: client, namespace: "team", now: now) }
        var stored: JSONValue? { server.object(.leases, namespace: "team", name: "berth-owner-shop") }
        func finish() { server.stop() }
    }

    @Test func acquireCreatesTheLeaseNamedAfterTheOwner() async throws {
        let cluster = try Cluster()
        defer { cluster.finish() }
        let held = try await cluster.lease().acquire(owner: "shop", holder: "host-a/4242", duration: .seconds(15))
        let spec = try #require(cluster.stored?["spec"])
        #expect(spec["holderIdentity"]?.stringValue == "host-a/4242")
        #expect(spec["leaseDurationSeconds"]?.intValue == 15)
        #expect(spec["leaseTransitions"]?.intValue == 0)
        #expect(spec["renewTime"]?.stringValue?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil)
        #expect(cluster.stored?["metadata"]?["labels"]?["berth.owner"]?.stringValue == "shop")
        #expect(held.name == "berth-owner-shop")
        #expect(cluster.server.requests.first { $0.path.contains("/leases") }?.method == "POST")
    }

    /// A write of this holder's own that a handle did not see (a renew cancelled on the wire
    /// at shutdown, which still landed) leaves the handle a version behind: it is still ours,
    /// so renewing and giving it back both work, and the Lease is gone at the end.
    @Test func aRenewThisHandleDidNotSeeIsStillOurs() async throws {
        let cluster = try Cluster()
        defer { cluster.finish() }
        let held = try await cluster.lease().acquire(owner: "shop", holder: "host-a/4242", duration: .seconds(15))
        let twin = try #require(cluster.stored)
        // The same holder writes the Lease behind the handle's back.
        let other = KubeLeaseHandle(lease: cluster.lease(), object: twin, holder: "host-a/4242")
        try await other.renew()
        #expect(cluster.stored?["metadata"]?["resourceVersion"] != twin["metadata"]?["resourceVersion"])
        try await held.renew()
        try await other.renew()
        try await held.release()
        #expect(cluster.stored == nil, "the Lease was given back")
    }

    @Test func aLeaseHeldByAnotherIsALockedErrorNamingTheHolder() async throws {
        let cluster = try Cluster()
        defer { cluster.finish() }
        // Both berths read one clock, a second apart: a loaded machine must not let the lease expire between them.
        let start = Date()
        _ = try await cluster.lease(now: { start }).acquire(owner: "shop", holder: "host-a/4242", duration: .seconds(15))
        do {
            _ = try await cluster.lease(now: { start.addingTimeInterval(1) }).acquire(owner: "shop", holder: "host-b/777", duration: .seconds(15))
            Issue.record("a held lease was acquired twice")
        } catch let error as BerthError {
            #expect(error.code == .locked)
            #expect("\(error)".contains("owner shop is in use on the cluster: the lease team/berth-owner-shop is held by host-a/4242 (renewed"), "\(error)")
        }
        #expect(cluster.stored?["spec"]?["holderIdentity"]?.stringValue == "host-a/4242")
    }

    @Test func anExpiredLeaseIsTakenOverWithItsResourceVersion() async throws {
        let cluster = try Cluster()
        defer { cluster.finish() }
        _ = try await cluster.lease().acquire(owner: "shop", holder: "host-a/4242", duration: .seconds(15))
        // A minute later, with no renewal, the lease has expired.
        let later = cluster.lease(now: { Date().addingTimeInterval(60) })
        let held = try await later.acquire(owner: "shop", holder: "host-b/777", duration: .seconds(15))
        let spec = try #require(cluster.stored?["spec"])
        #expect(spec["holderIdentity"]?.stringValue == "host-b/777")
        #expect(spec["leaseTransitions"]?.intValue == 1)
        let put = try #require(cluster.server.requests.last { $0.method == "PUT" })
        #expect(put.body?["metadata"]?["resourceVersion"] != nil)
        #expect(await held.resourceVersion == cluster.stored?["metadata"]?["resourceVersion"]?.stringValue)
    }

    @Test func renewMovesTheRenewTimeAndALostLeaseNamesTheNewHolder() async throws {
        let cluster = try Cluster()
        defer { cluster.finish() }
        let clock = Clock()
        let held = try await cluster.lease(now: clock.now).acquire(owner: "shop", holder: "host-a/4242", duration: .seconds(15))
        let first = cluster.stored?["spec"]?["renewTime"]?.stringValue
        clock.advance(5)
        try await held.renew()
        #expect(cluster.stored?["spec"]?["renewTime"]?.stringValue != first)
        #expect(await held.resourceVersion == cluster.stored?["metadata"]?["resourceVersion"]?.stringValue)
        // The holder stalls past its duration; another takes the lease over.
        clock.advance(60)
        _ = try await cluster.lease(now: clock.now).acquire(owner: "shop", holder: "host-b/777", duration: .seconds(15))
        do {
            try await held.renew()
            Issue.record("a lease taken over was renewed")
        } catch let error as BerthError {
            #expect(error.code == .locked)
            #expect("\(error)".contains("lost the lease team/berth-owner-shop held by host-a/4242: the lease team/berth-owner-shop is held by host-b/777"), "\(error)")
        }
        #expect(cluster.stored?["spec"]?["holderIdentity"]?.stringValue == "host-b/777")
        // Releasing what is no longer ours leaves the new holder's lease alone.
        try await held.release()
        #expect(cluster.stored?["spec"]?["holderIdentity"]?.stringValue == "host-b/777")
    }

    @Test func releaseDeletesTheLeaseSoAnotherCanAcquireAtOnce() async throws {
        let cluster = try Cluster()
        defer { cluster.finish() }
        let held = try await cluster.lease().acquire(owner: "shop", holder: "host-a/4242", duration: .seconds(15))
        try await held.release()
        #expect(cluster.stored == nil)
        let next = try await cluster.lease().acquire(owner: "shop", holder: "host-b/777", duration: .seconds(15))
        #expect(next.holder == "host-b/777")
    }

    @Test func leaseTimesKeepMicroseconds() throws {
        let date = try #require(KubeLeaseTime.parse("2026-12-04T10:39:06.636773Z"))
        #expect(KubeLeaseTime.format(date) == "2026-12-04T10:39:06.636773Z")
    }

    /// A settable clock for lease expiry, so nothing waits.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var offset: TimeInterval = 0
        func advance(_ seconds: TimeInterval) { lock.withLock { offset += seconds } }
        var now: @Sendable () -> Date { { [self] in Date().addingTimeInterval(lock.withLock { offset }) } }
    }
}
