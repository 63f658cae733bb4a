@testable import BerthEngine
import BerthModel
import Foundation
import Testing

/// Notifications come on transitions, not on every pass: which sequences of passes and
/// reachability changes make which events.
@Suite struct WatchNotifierTests {
    final class Sent: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [NotificationEvent] = []
        func add(_ e: NotificationEvent) { lock.withLock { events.append(e) } }
        var all: [NotificationEvent] { lock.withLock { events } }
        var names: [String] { all.map(\.event) }
    }

    static func pass(converged: Bool, errors: [String] = []) -> PassSummary {
        PassSummary(key: "*", report: WatchMetricsTests.report(converged: converged), duration: .milliseconds(5),
                    converged: converged, errors: errors)
    }

    static func notifier(_ sent: Sent, revision: Revision = Revision()) -> WatchNotifier {
        WatchNotifier(owner: "main", revision: { revision.value }, clock: { Date(timeIntervalSince1970: 1_764_876_000) }, send: sent.add)
    }

    @Test func convergedIsSaidOncePerArrivalAndAgainForANewRevision() throws {
        let sent = Sent(), revision = Revision()
        let notifier = Self.notifier(sent, revision: revision)
        notifier.passFinished(Self.pass(converged: false))
        #expect(sent.names == [], "work under way is no news")
        revision.value = "abc123"
        notifier.passFinished(Self.pass(converged: true))
        notifier.passFinished(Self.pass(converged: true))
        notifier.passFinished(Self.pass(converged: true))
        #expect(sent.names == ["converged"])
        let first = try #require(sent.all.first)
        #expect(first.fields["revision"] == .string("abc123"))
        #expect(first.fields["specs"] == .number("1"))
        #expect(first.fields["running"] == .number("1"))
        #expect(first.owner == "main")
        #expect(first.time == "2025-12-04T19:20:00.000Z", "RFC 3339, UTC")
        // The JSON carries the four common fields.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(first.json.utf8)) as? [String: Any])
        #expect(Set(json.keys).isSuperset(of: ["event", "owner", "time", "message"]))
        // A new revision that changes nothing is still news.
        revision.value = "def456"
        notifier.passFinished(Self.pass(converged: true))
        #expect(sent.names == ["converged", "converged"])
        // Left and reached again.
        notifier.passFinished(Self.pass(converged: false))
        notifier.passFinished(Self.pass(converged: true))
        #expect(sent.names == ["converged", "converged", "converged"])
    }

    @Test func failedIsSaidForNewProblemsOnly() {
        let sent = Sent()
        let notifier = Self.notifier(sent)
        notifier.passFinished(Self.pass(converged: false, errors: ["docker/web: the build failed"]))
        notifier.passFinished(Self.pass(converged: false, errors: ["docker/web: the build failed"]))
        #expect(sent.names == ["failed"], "a retry failing the same way is no news")
        #expect(sent.all.first?.fields["errors"] == .array([.string("docker/web: the build failed")]))
        // Another problem joins: said, with all that stand.
        notifier.passFinished(Self.pass(converged: false, errors: ["docker/web: the build failed", "docker/api: port taken"]))
        #expect(sent.names == ["failed", "failed"])
        // One goes away: no news; it comes back: news.
        notifier.passFinished(Self.pass(converged: false, errors: ["docker/api: port taken"]))
        notifier.passFinished(Self.pass(converged: false, errors: ["docker/web: the build failed", "docker/api: port taken"]))
        #expect(sent.names == ["failed", "failed", "failed"])
        // Fixed, then the same failure again: news again.
        notifier.passFinished(Self.pass(converged: true))
        notifier.passFinished(Self.pass(converged: false, errors: ["docker/api: port taken"]))
        #expect(sent.names == ["failed", "failed", "failed", "converged", "failed"])
    }

    @Test func heldDeletionsAreSaidWhenANewSpecStartsWaiting() {
        let sent = Sent()
        let notifier = Self.notifier(sent)
        notifier.heldDeletions(count: 0, names: [])
        notifier.heldDeletions(count: 1, names: ["docker/old"])
        notifier.heldDeletions(count: 1, names: ["docker/old"])
        #expect(sent.names == ["deletions-held"])
        notifier.heldDeletions(count: 2, names: ["docker/old", "swarm/older"])
        #expect(sent.names == ["deletions-held", "deletions-held"])
        #expect(sent.all.last?.fields["count"] == .number("2"))
        #expect(sent.all.last?.fields["names"] == .array([.string("docker/old"), .string("swarm/older")]))
        #expect(sent.all.last?.message.hasSuffix("carry it out with `berth release old older`") == true)
        notifier.heldDeletions(count: 0, names: [])
        notifier.heldDeletions(count: 1, names: ["docker/old"])
        #expect(sent.names.count == 3, "released, then held again: news")
    }

    @Test func aTargetIsLostOnceAndBackOnceAndItsFirstAnswerIsNoNews() {
        let sent = Sent()
        let notifier = Self.notifier(sent)
        notifier.reachabilityChanged(target: "docker", reachable: true, cause: nil)
        #expect(sent.names == [])
        notifier.reachabilityChanged(target: "kubernetes", reachable: false, cause: "connection refused")
        notifier.reachabilityChanged(target: "kubernetes", reachable: false, cause: "connection refused")
        notifier.reachabilityChanged(target: "kubernetes", reachable: true, cause: nil)
        notifier.reachabilityChanged(target: "kubernetes", reachable: true, cause: nil)
        #expect(sent.names == ["target-lost", "target-back"])
        #expect(sent.all[0].fields["target"] == .string("kubernetes"))
        #expect(sent.all[0].fields["cause"] == .string("connection refused"))
        #expect(sent.all[0].message.contains("kubernetes is unreachable (connection refused)"))
        // A pass that finds the target gone says no `failed` for it: target-lost said it.
        notifier.reachabilityChanged(target: "kubernetes", reachable: false, cause: "connection refused")
        notifier.passFinished(Self.pass(converged: false, errors: ["kubernetes unreachable since 2026-12-04T19:00:00.000Z: connection refused"]))
        #expect(sent.names == ["target-lost", "target-back", "target-lost"])
        notifier.passFinished(Self.pass(converged: false, errors: ["kubernetes unreachable since 2026-12-04T19:00:00.000Z: connection refused",
                                                                   "docker/web: the build failed"]))
        #expect(sent.names == ["target-lost", "target-back", "target-lost", "failed"])
        #expect(sent.all.last?.fields["errors"] == .array([.string("kubernetes unreachable since 2026-12-04T19:00:00.000Z: connection refused"),
                                                           .string("docker/web: the build failed")]), "all that stand")
    }
}
