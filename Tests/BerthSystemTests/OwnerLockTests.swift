import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// One berth per owner and engine, whatever its state folder. Each test keeps its lock files
/// in its own folder (berth itself uses /run/berth, $XDG_RUNTIME_DIR/berth or /tmp/berth-UID).
struct OwnerLockTests {
    @Test func aSecondBerthWithTheSameOwnerAndEngineIsRefusedEvenWithAnotherStateFolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let locks = directory.path + "/locks"
        let first = try OwnerLock.acquire(owner: "shop", endpoint: "tcp://engine:2375", purpose: "watch",
                                          stateDirectory: directory.path + "/a/state", directory: locks)
        defer { first.release() }

        let error = #expect(throws: OwnerLockError.self) {
            try OwnerLock.acquire(owner: "shop", endpoint: "tcp://engine:2375", purpose: "apply",
                                  stateDirectory: directory.path + "/b/state", directory: locks)
        }
        #expect(error?.description == "another berth (pid \(getpid()), watch, state \(directory.path)/a/state) manages owner 'shop' "
            + "on tcp://engine:2375; stop it or choose another --owner")

        // Another owner on the same engine, or the same owner on another engine, is fine.
        let other = try OwnerLock.acquire(owner: "blog", endpoint: "tcp://engine:2375", purpose: "watch",
                                          stateDirectory: directory.path + "/b/state", directory: locks)
        other.release()
        let elsewhere = try OwnerLock.acquire(owner: "shop", endpoint: "tcp://other-engine:2375", purpose: "watch",
                                              stateDirectory: directory.path + "/b/state", directory: locks)
        elsewhere.release()
    }

    @Test func releasingGivesTheOwnerBackAndRemovesTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let locks = directory.path + "/locks"
        do {
            let scoped = try OwnerLock.acquire(owner: "shop", endpoint: "unix:///run/docker.sock", purpose: "apply",
                                               stateDirectory: directory.path + "/a", directory: locks)
            #expect(FileSystem.exists(scoped.path))
            #expect(String(decoding: try FileSystem.readFile(scoped.path), as: UTF8.self)
                == "\(getpid())\napply\n\(directory.path)/a\nshop\nunix:///run/docker.sock\n")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: locks) == [])
        let again = try OwnerLock.acquire(owner: "shop", endpoint: "unix:///run/docker.sock", purpose: "watch",
                                          stateDirectory: directory.path + "/b", directory: locks)
        again.release()
        again.release()  // harmless
        #expect(try FileManager.default.contentsOfDirectory(atPath: locks) == [])
    }

    @Test func oneEngineReachedByTwoSpellingsIsOneEngine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let locks = directory.path + "/locks"
        let socket = directory.path + "/docker.sock"
        try AtomicFile.write("", to: socket)
        #expect(symlink(socket, directory.path + "/alias.sock") == 0)

        let first = try OwnerLock.acquire(owner: "shop", endpoint: "unix://\(directory.path)/alias.sock", purpose: "watch",
                                          stateDirectory: directory.path + "/a", directory: locks)
        defer { first.release() }
        let error = #expect(throws: OwnerLockError.self) {
            try OwnerLock.acquire(owner: "shop", endpoint: socket, purpose: "watch", stateDirectory: directory.path + "/b", directory: locks)
        }
        #expect(error?.endpoint == "unix://\(socket)")

        #expect(OwnerLock.normalise(endpoint: "tcp://Engine.example") == "tcp://engine.example:2375")
        #expect(OwnerLock.normalise(endpoint: "https://engine.example") == "tcp://engine.example:2376")
        #expect(OwnerLock.normalise(endpoint: "http://engine.example:2375/v1.43") == "tcp://engine.example:2375")
        #expect(OwnerLock.normalise(endpoint: "tcp://[::1]:2376") == "tcp://[::1]:2376")
        #expect(OwnerLock.normalise(endpoint: "tcp://[::1]") == "tcp://[::1]:2375")
    }

    @Test func theLockFolderIsMade0700AndALinkedOneIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let locks = directory.path + "/locks"
        let lock = try OwnerLock.acquire(owner: "shop", endpoint: "tcp://e:1", purpose: "apply", stateDirectory: "s", directory: locks)
        lock.release()
        var info = stat()
        #expect(stat(locks, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o700)

        try FileManager.default.createDirectory(atPath: directory.path + "/elsewhere", withIntermediateDirectories: false)
        #expect(symlink(directory.path + "/elsewhere", directory.path + "/linked") == 0)
        #expect(throws: StateFolderRefusal.self) {
            try OwnerLock.acquire(owner: "shop", endpoint: "tcp://e:1", purpose: "apply", stateDirectory: "s", directory: directory.path + "/linked")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/elsewhere") == [])
    }

    @Test func theDefaultFolderFollowsTheUser() {
        if geteuid() == 0 {
            #expect(OwnerLock.defaultDirectory(environment: ["XDG_RUNTIME_DIR": "/run/user/0"]) == "/run/berth")
        } else {
            #expect(OwnerLock.defaultDirectory(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"]) == "/run/user/1000/berth")
            #expect(OwnerLock.defaultDirectory(environment: [:]) == "/tmp/berth-\(geteuid())")
        }
    }
}
