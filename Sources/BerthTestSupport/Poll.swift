import Foundation

/// Waiting for a state a test cannot be told of by an event of its own (a file another
/// process writes, a count on a test server): the condition is looked at, then again after a
/// short pause, until it holds or the hang guard passes.
///
/// The hang guard is generous on purpose and is never what a test checks: it only stops a
/// broken run from hanging. What a test checks is the condition (an order of events, a count).
public enum Poll {
    /// The pause between two looks.
    public static let interval: Duration = .milliseconds(10)

    /// Looks at `condition` until it holds (true) or `hangGuard` has passed (one last look).
    public static func until(hangGuard: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + hangGuard
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            await pause()
        }
        return try await condition()
    }

    /// One pause between two looks at a condition, for loops that keep their own count.
    public static func pause(_ duration: Duration = interval) async {
        try? await Task.sleep(for: duration)
    }
}

/// The timer of a hang guard that races a wait with no deadline of its own (a stream's next
/// element, a continuation): it only ends a broken run, and a test never checks it.
public enum HangGuard {
    /// Returns true once `limit` has passed, false if the waiting task was cancelled first.
    @discardableResult
    public static func timer(_ limit: Duration) async -> Bool {
        (try? await Task.sleep(for: limit)) != nil
    }

    /// The same on a plain thread (a watchdog over synchronous work): blocks for `seconds`.
    public static func tick(seconds: Double) {
        Thread.sleep(forTimeInterval: seconds)
    }
}

/// Time that belongs to the scenario, not to a wait: a fake platform's work taking a moment
/// so actions overlap, a SIGKILL at a chosen moment, a server slow to answer. Nothing is
/// checked against it.
public enum ScenarioTime {
    public static func pass(_ duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }
}
