@testable import BerthEngine
import BerthModel
import BerthTestSupport
import Foundation
import Testing

/// The notification sender: retries with backoff (an injected sleeper, so no time passes),
/// gives up after the attempts run out, and drops the oldest event when the queue is full.
@Suite(.timeLimit(.minutes(5)))
struct NotificationQueueTests {
    final class Receiver: @unchecked Sendable {
        private let lock = NSLock()
        private var failuresLeft: Int
        private var attempts: [String] = []
        private var taken: [String] = []
        init(failures: Int) { failuresLeft = failures }
        func post(_ event: NotificationEvent) throws {
            try lock.withLock {
                attempts.append(event.message)
                if failuresLeft > 0 { failuresLeft -= 1; throw BerthError(.engineError, "posting", cause: "the receiver answered 500") }
                taken.append(event.message)
            }
        }
        var tried: [String] { lock.withLock { attempts } }
        var delivered: [String] { lock.withLock { taken } }
    }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func add(_ l: String) { lock.withLock { lines.append(l) } }
        var all: [String] { lock.withLock { lines } }
    }

    static func event(_ message: String) -> NotificationEvent {
        NotificationEvent(event: "converged", owner: "o", time: "2026-12-04T19:00:00.000Z", message: message)
    }

    @Test func aFailedPostIsTriedAgainWithGrowingJitteredDelays() async {
        let receiver = Receiver(failures: 3), delays = DelayLog(), lines = Lines()
        let queue = NotificationQueue(receiver: "http://h/hook", sleeper: Sleeper(sleep: { delays.add($0) }, random: { 0.5 }),
                                      log: lines.add, post: { try receiver.post($0) })
        let sender = Task { await queue.run() }
        defer { sender.cancel() }
        queue.enqueue(Self.event("one"))
        _ = await Poll.until(hangGuard: .seconds(30)) { !receiver.delivered.isEmpty }
        #expect(receiver.delivered == ["one"])
        #expect(receiver.tried == ["one", "one", "one", "one"])
        // 1 s, 2 s, 4 s, each times the jitter factor 0.75.
        #expect(delays.all == [.milliseconds(750), .milliseconds(1500), .milliseconds(3000)])
        #expect(lines.all.count == 2, "the first failure and the late success, not every attempt: \(lines.all)")
    }

    @Test func theDelayIsCappedAndTheEventGivenUpAfterTheAttempts() async {
        let receiver = Receiver(failures: 100), delays = DelayLog(), lines = Lines()
        let queue = NotificationQueue(receiver: "http://h/hook", sleeper: Sleeper(sleep: { delays.add($0) }, random: { 1 }),
                                      log: lines.add, post: { try receiver.post($0) })
        let sender = Task { await queue.run() }
        defer { sender.cancel() }
        queue.enqueue(Self.event("lost"))
        queue.enqueue(Self.event("next"))
        _ = await Poll.until(hangGuard: .seconds(30)) { receiver.tried.count >= 9 }
        #expect(receiver.tried.prefix(8) == ArraySlice(Array(repeating: "lost", count: 8)), "8 attempts in all")
        #expect(receiver.tried.dropFirst(8).first == "next", "the next event is not held up for ever")
        #expect(delays.all.prefix(7) == [1, 2, 4, 8, 16, 32, 60].map { Duration.seconds($0) }.prefix(7))
        #expect(lines.all.contains { $0.contains("gave up after 8 attempts") })
    }

    @Test func aFullQueueDropsItsOldestEventWithALine() async {
        let lines = Lines(), receiver = Receiver(failures: 0)
        let queue = NotificationQueue(receiver: "http://h/hook", capacity: 2, sleeper: Sleeper(sleep: { _ in }, random: { 0.5 }),
                                      log: lines.add, post: { try receiver.post($0) })
        // No sender yet: everything waits.
        for name in ["a", "b", "c"] { queue.enqueue(Self.event(name)) }
        #expect(queue.pending == 2)
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("dropped the oldest") == true)
        let sender = Task { await queue.run() }
        defer { sender.cancel() }
        _ = await Poll.until(hangGuard: .seconds(30)) { receiver.delivered.count == 2 }
        #expect(receiver.delivered == ["b", "c"])
    }

    /// enqueue never waits for the receiver, however long it hangs.
    @Test func aHangingReceiverDoesNotHoldUpEnqueue() async {
        let gate = HangingGate()
        let queue = NotificationQueue(receiver: "http://h/hook", log: { _ in }, post: { _ in await gate.wait() })
        let sender = Task { await queue.run() }
        defer { sender.cancel(); gate.open() }
        queue.enqueue(Self.event("stuck"))
        _ = await Poll.until(hangGuard: .seconds(30)) { gate.waiting }
        for index in 0..<10 { queue.enqueue(Self.event("behind \(index)")) }
        #expect(queue.pending == 10)
    }
}

/// A receiver that hangs until opened.
final class HangingGate: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var entered = false
    var waiting: Bool { lock.withLock { entered } }
    func open() { lock.withLock { isOpen = true } }
    func wait() async {
        lock.withLock { entered = true }
        while !lock.withLock({ isOpen }) { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
