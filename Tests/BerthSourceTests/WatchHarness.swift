import BerthTestSupport
import Foundation
import Testing
@testable import BerthSource
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// Everything a watcher reported, with a way to await a condition on it under a deadline,
/// so tests wait exactly as long as the kernel takes and fail (not hang) when it never comes.
actor ChangeLog {
    private(set) var changes: [SpecFolderChange] = []
    private(set) var ended = false

    private struct Waiter {
        let predicate: @Sendable ([SpecFolderChange], Bool) -> Bool
        let continuation: CheckedContinuation<Bool, Never>
        let timeout: Task<Void, Never>
    }
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiter = 0

    func record(_ change: SpecFolderChange) {
        changes.append(change)
        resumeSatisfied()
    }

    func end() {
        ended = true
        resumeSatisfied()
    }

    /// Waits until `predicate(changes, ended)` holds; false if `timeout` passes first.
    func wait(
        timeout: Duration = .seconds(3),
        until predicate: @escaping @Sendable ([SpecFolderChange], Bool) -> Bool
    ) async -> Bool {
        if predicate(changes, ended) { return true }
        let id = nextWaiter
        nextWaiter += 1
        return await withCheckedContinuation { continuation in
            let timeout = Task {
                await HangGuard.timer(timeout)
                self.expire(id)
            }
            waiters[id] = Waiter(predicate: predicate, continuation: continuation, timeout: timeout)
        }
    }

    /// Waits until every change in `expected` has been reported, in any order.
    func wait(for expected: [SpecFolderChange], timeout: Duration = .seconds(3)) async -> Bool {
        await wait(timeout: timeout) { changes, _ in expected.allSatisfy(changes.contains) }
    }

    private func expire(_ id: Int) {
        waiters.removeValue(forKey: id)?.continuation.resume(returning: false)
    }

    private func resumeSatisfied() {
        for (id, waiter) in waiters where waiter.predicate(changes, ended) {
            waiters[id] = nil
            waiter.timeout.cancel()
            waiter.continuation.resume(returning: true)
        }
    }
}

/// A temporary spec folder (`<tmp>/specs`, so the root has a parent of its own) with a
/// running watcher whose changes go into a `ChangeLog`.
final class WatchHarness {
    let directory: TemporaryDirectory
    let root: String
    let watcher: SpecFolderWatcher
    let log = ChangeLog()

    /// `prepare` runs after the root exists and before the watcher starts.
    init(prepare: (WatchHarness.Files) throws -> Void = { _ in }) throws {
        directory = try TemporaryDirectory()
        root = directory.path + "/specs"
        try FileSystem.makeDirectories(root)
        try prepare(Files(root: root))
        watcher = try SpecFolderWatcher(root: root)
        let (watcher, log) = (watcher, log)
        Task {
            for await change in watcher.changes { await log.record(change) }
            await log.end()
        }
    }

    var files: Files { Files(root: root) }

    func close() {
        watcher.stop()
        directory.remove()
    }

    /// Plain system calls on paths relative to a root, so each step makes exactly the
    /// inotify events a test expects (Foundation may write through temporary files).
    struct Files {
        let root: String

        func path(_ relative: String) -> String { root + "/" + relative }

        func write(_ relative: String, _ text: String = "{}") throws {
            let fd = open(path(relative), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw SystemError.current("create", path: path(relative)) }
            defer { Glibc.close(fd) }
            try AtomicFile.writeAll(fd, Array(text.utf8), path: path(relative))
        }

        func makeDirectories(_ relative: String) throws {
            try FileSystem.makeDirectories(path(relative))
        }

        func rename(_ from: String, _ to: String) throws {
            guard Glibc.rename(path(from), path(to)) == 0 else {
                throw SystemError.current("rename", path: path(from))
            }
        }

        func remove(_ relative: String) throws {
            try FileManager.default.removeItem(atPath: path(relative))
        }
    }
}
