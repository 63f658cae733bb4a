import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// flock locks belong to open file descriptions, so a second `acquire` in the same process
/// opens the file again and conflicts exactly like another berth process would.
struct StateLockTests {
    @Test func secondAcquireFailsNamingHolderPidAndPurpose() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"

        let first = try StateLock.acquire(stateDirectory: state, purpose: "watch")
        defer { first.release() }

        let error = #expect(throws: StateLockError.self) {
            try StateLock.acquire(stateDirectory: state, purpose: "apply")
        }
        #expect(error == .held(pid: getpid(), purpose: "watch"))
        #expect(error?.message(stateDirectory: "state")
            == "state/ is in use by another berth (pid \(getpid()), watch); stop it, or give this one another --state and another --owner (one berth manages an owner on an engine)")
        #expect(error?.description.contains("(pid \(getpid()), watch)") == true)
    }

    @Test func acquireCreatesDirectoryAndWritesPidAndPurpose() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/nested/state"

        let lock = try StateLock.acquire(stateDirectory: state, purpose: "apply")
        defer { lock.release() }
        #expect(FileSystem.isDirectory(state))
        let content = String(decoding: try FileSystem.readFile(state + "/lock"), as: UTF8.self)
        #expect(content == "\(getpid())\napply\n")
    }

    @Test func releasedLockCanBeReacquired() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"

        let first = try StateLock.acquire(stateDirectory: state, purpose: "watch")
        first.release()
        first.release()  // a second release must be harmless, not close someone else's fd
        let second = try StateLock.acquire(stateDirectory: state, purpose: "apply")
        defer { second.release() }
        #expect(StateLock.readHolder(state + "/lock").purpose == "apply")
    }

    /// A child spawned while the lock is held keeps a copy of its descriptor until its exec
    /// closes it; a release must not wait for that copy to go.
    @Test func releaseFreesTheLockWhileACopyOfItsDescriptorLives() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"

        let first = try StateLock.acquire(stateDirectory: state, purpose: "watch")
        let copy = try #require(Self.descriptor(of: state + "/lock")).duplicated
        defer { close(copy) }
        first.release()
        let second = try StateLock.acquire(stateDirectory: state, purpose: "apply")
        second.release()
    }

    /// This process's descriptor open on `path`, read from /proc/self/fd.
    static func descriptor(of path: String) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return entries.compactMap(Int32.init).first { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == path
        }
    }

    @Test func droppingTheObjectReleasesTheLock() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"

        do {
            let scoped = try StateLock.acquire(stateDirectory: state, purpose: "scoped")
            #expect(scoped.stateDirectory == state)
        }
        let again = try StateLock.acquire(stateDirectory: state, purpose: "after")
        again.release()
    }

    @Test func heldMessageWithoutHolderDetails() {
        let error = StateLockError.held(pid: nil, purpose: nil)
        #expect(error.message(stateDirectory: "/var/lib/berth/")
            == "/var/lib/berth/ is in use by another berth; stop it, or give this one another --state and another --owner (one berth manages an owner on an engine)")
        #expect(StateLockError.held(pid: 7, purpose: nil).message(stateDirectory: "s")
            == "s/ is in use by another berth (pid 7); stop it, or give this one another --state and another --owner (one berth manages an owner on an engine)")
    }

    @Test func unreadableHolderFileGivesNilDetails() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try AtomicFile.write("not-a-pid\n", to: directory.path + "/lock")
        let holder = StateLock.readHolder(directory.path + "/lock")
        #expect(holder.pid == nil)
        #expect(holder.purpose == nil)
    }
}

private extension Int32 {
    var duplicated: Int32 { dup(self) }
}
