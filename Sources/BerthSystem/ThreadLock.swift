// The one place that wraps pthread mutexes and condition variables, so that berth's
// modules need no Foundation (NSLock, NSCondition) and the release binary links no ICU.
import Glibc

/// A mutual-exclusion lock for code that blocks threads (not tasks): `lock()`/`unlock()`
/// and `withLock`, the same surface as Foundation's `NSLock`.
public final class ThreadLock: @unchecked Sendable {
    fileprivate let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }

    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Runs `body` with the lock held.
    public func withLock<Result, Failure: Error>(_ body: () throws(Failure) -> Result) throws(Failure) -> Result {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// A lock with a condition variable, the surface of Foundation's `NSCondition`: `wait()`
/// must be called with the lock held and returns with it held again.
public final class ThreadCondition: @unchecked Sendable {
    private let mutex = ThreadLock()
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    public init() {
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deallocate()
    }

    public func lock() { mutex.lock() }

    public func unlock() { mutex.unlock() }

    public func wait() { pthread_cond_wait(condition, mutex.mutex) }

    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// Starts detached threads for blocking work (poll, waitpid, socket reads) that must not
/// hold one of the cooperative pool's threads; Foundation's `Thread` without Foundation.
public enum DetachedThread {
    /// Runs `body` on a new detached thread named `name` (the kernel keeps 15 bytes of it).
    public static func start(name: String, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadStart(name: name, body: body))
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
            nameThisThread(start.name)
            start.body()
            return nil
        }, box.toOpaque())
        guard started == 0 else {
            box.release()
            fatalError("cannot start the thread \(name): \(String(cString: strerror(started)))")
        }
        pthread_detach(thread)
    }
}

/// Names the calling thread for ps and debuggers through /proc (pthread_setname_np needs
/// _GNU_SOURCE, which Glibc's module does not define).
private func nameThisThread(_ name: String) {
    let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    let bytes = Array(name.utf8.prefix(15))
    _ = write(fd, bytes, bytes.count)
    close(fd)
}

private final class ThreadStart {
    let name: String
    let body: @Sendable () -> Void

    init(name: String, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
