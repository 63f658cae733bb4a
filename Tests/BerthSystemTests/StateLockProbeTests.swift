import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// `berth status` learns whether a watch runs by probing the lock (F_OFD_GETLK on a
/// read-only descriptor): it takes nothing, writes nothing and says when it cannot tell.
struct StateLockProbeTests {
    @Test func aHeldLockIsSeenWithItsHolderAndTheFileIsNotWritten() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"
        let lock = try StateLock.acquire(stateDirectory: state, purpose: "watch")
        defer { lock.release() }
        var before = stat()
        #expect(stat(state + "/lock", &before) == 0)
        let content = try FileSystem.readFile(state + "/lock")

        // Another open file description in this process conflicts like another process.
        #expect(try StateLock.probe(stateDirectory: state) == .held(pid: getpid(), purpose: "watch"))
        #expect(try StateLock.probe(stateDirectory: state) == .held(pid: getpid(), purpose: "watch"))

        var after = stat()
        #expect(stat(state + "/lock", &after) == 0)
        #expect(try FileSystem.readFile(state + "/lock") == content)
        #expect(after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        // Probing did not take the lock: the holder still holds it, and a second berth is refused.
        #expect(throws: StateLockError.held(pid: getpid(), purpose: "watch")) {
            try StateLock.acquire(stateDirectory: state, purpose: "apply")
        }
    }

    @Test func aReleasedOrNeverTakenLockIsFree() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"
        #expect(try StateLock.probe(stateDirectory: state) == .free)
        let lock = try StateLock.acquire(stateDirectory: state, purpose: "apply")
        lock.release()
        #expect(try StateLock.probe(stateDirectory: state) == .free)
        // And a probe never stands in the way of the next berth.
        let next = try StateLock.acquire(stateDirectory: state, purpose: "watch")
        next.release()
    }

    /// The holder is a separate process (python3's fcntl speaks OFD locks), as a real watch is.
    @Test func aLockHeldByAnotherProcessIsSeen() throws {
        guard let python = GitTracking.executable("python3") else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"
        try StateFolderGuard.prepare(state, specsDirectory: nil)
        let script = """
        import fcntl, os, struct, sys
        fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack('hhqqi', fcntl.F_WRLCK, 0, 0, 0, 0))
        os.write(fd, b'%d\\nwatch\\n' % os.getpid())
        print('locked', flush=True)
        sys.stdin.read()
        """
        let child = Process()
        child.executableURL = URL(fileURLWithPath: python)
        child.arguments = ["-c", script, state + "/lock"]
        let input = Pipe(), output = Pipe()
        child.standardInput = input
        child.standardOutput = output
        try child.run()
        defer {
            try? input.fileHandleForWriting.close()
            child.waitUntilExit()
        }
        // Wait for the child's word, not for time.
        var said = ""
        while !said.hasSuffix("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }  // the child ended without a word
            said += String(decoding: data, as: UTF8.self)
        }
        #expect(said == "locked\n")

        #expect(try StateLock.probe(stateDirectory: state) == .held(pid: child.processIdentifier, purpose: "watch"))
        #expect(throws: StateLockError.held(pid: child.processIdentifier, purpose: "watch")) {
            try StateLock.acquire(stateDirectory: state, purpose: "apply")
        }
        try input.fileHandleForWriting.close()
        child.waitUntilExit()
        #expect(try StateLock.probe(stateDirectory: state) == .free)
    }

    /// A reader who cannot open the lock file cannot tell; the probe says why instead of guessing.
    /// The file-system uid is per thread on Linux, so this thread alone acts as "nobody".
    @Test func aLockThatCannotBeOpenedCannotTell() throws {
        guard geteuid() == 0 else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"
        let lock = try StateLock.acquire(stateDirectory: state, purpose: "watch")
        defer { lock.release() }

        // Glibc's Swift module leaves out <sys/fsuid.h>; the symbol is in libc all the same.
        typealias SetFSUID = @convention(c) (uid_t) -> Int32
        guard let symbol = dlsym(nil, "setfsuid") else { Issue.record("no setfsuid in libc"); return }
        let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
        _ = setfsuid(65534)
        let probe = try? StateLock.probe(stateDirectory: state)
        _ = setfsuid(0)
        #expect(probe == .unknown("cannot open \(state)/lock: Permission denied"))
    }
}
