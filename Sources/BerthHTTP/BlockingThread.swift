import BerthSystem

/// Runs blocking socket work on a thread of its own and resumes the awaiting task.
///
/// Swift's cooperative pool has one thread per core (two here); a blocked `recv` there
/// would stall every other task, and berth keeps an /events stream open for hours while
/// running a dozen requests. A thread per request costs little at that scale.
enum BlockingThread {
    /// Starts `body` on a new thread. Task cancellation calls `onCancel`, which must make
    /// `body` return promptly (by closing its stream); the result is awaited either way so
    /// that the thread never outlives its work unobserved.
    static func run<Value: Sendable>(
        name: String,
        onCancel: @escaping @Sendable () -> Void,
        _ body: @escaping @Sendable () -> Result<Value, HTTPError>
    ) async -> Result<Value, HTTPError> {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, HTTPError>, Never>) in
                start(name: name) { continuation.resume(returning: body()) }
            }
        } onCancel: {
            onCancel()
        }
    }

    /// Starts `body` on a new thread without waiting for it.
    static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        DetachedThread.start(name: name, body)
    }
}

/// Holds the stream of a request in flight so that cancellation, which may arrive before
/// the stream exists, still reaches it.
final class CancellationSlot: Sendable {
    private struct State {
        var stream: (any ByteStream)?
        var cancelled = false
    }

    private let state = Locked(State())

    /// Whether `cancel()` has been called.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Remembers `stream`; if cancellation came first, closes it at once.
    func attach(_ stream: any ByteStream) {
        let cancelled = state.withLock { s in
            s.stream = stream
            return s.cancelled
        }
        if cancelled { stream.close() }
    }

    /// Marks the request cancelled and closes its stream, waking the blocked thread.
    func cancel() {
        let stream = state.withLock { s in
            s.cancelled = true
            return s.stream
        }
        stream?.close()
    }
}
