import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// The state folder holds the journal and the last valid specs, secret values included:
/// folders 0700, files 0600, whatever the umask; a looser folder is tightened once, and said.
struct StateFolderModeTests {
    static func mode(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
    }

    @Test func filesBerthWritesAre0600() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"
        try StateFolderGuard.prepare(state, specsDirectory: nil)
        #expect(Self.mode(state) == 0o700)
        try AtomicFile.write("x\n", to: state + "/status.json")
        #expect(Self.mode(state + "/status.json") == 0o600)
        try StateFolderGuard.makeFolders(state + "/last-valid/apps", inside: state)
        try StateFolderGuard.write(Array("{}".utf8), to: state + "/last-valid/apps/a.json")
        #expect(Self.mode(state + "/last-valid") == 0o700)
        #expect(Self.mode(state + "/last-valid/apps/a.json") == 0o600)
        let lock = try StateLock.acquire(stateDirectory: state, purpose: "test")
        #expect(Self.mode(state + "/lock") == 0o600)
        lock.release()
    }

    @Test func aLooserFolderIsTightenedOnceWithOneLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/state"
        #expect(mkdir(state, 0o755) == 0 && chmod(state, 0o755) == 0)
        #expect(mkdir(state + "/last-valid", 0o755) == 0 && chmod(state + "/last-valid", 0o755) == 0)
        for file in ["/journal.jsonl", "/last-valid/db.json"] {
            #expect(FileManager.default.createFile(atPath: state + file, contents: Data("{}".utf8), attributes: [.posixPermissions: 0o644]))
        }
        // Not berth's: make run's private engine keeps its data in state/engine.
        #expect(mkdir(state + "/engine", 0o711) == 0 && chmod(state + "/engine", 0o711) == 0)
        #expect(FileManager.default.createFile(atPath: state + "/engine/layer", contents: Data("x".utf8), attributes: [.posixPermissions: 0o755]))
        try StateFolderGuard.prepare(state, specsDirectory: nil)
        let line = StateFolderGuard.tighten(state, entries: ["journal.jsonl", "last-valid"])
        #expect(line?.hasPrefix("state folder \(state) was readable by others: 4 of its files and folders tightened to 0600 files and 0700 folders") == true, "\(line ?? "nil")")
        #expect(Self.mode(state) == 0o700)
        #expect(Self.mode(state + "/last-valid") == 0o700)
        #expect(Self.mode(state + "/journal.jsonl") == 0o600)
        #expect(Self.mode(state + "/last-valid/db.json") == 0o600)
        #expect(Self.mode(state + "/engine") == 0o711)
        #expect(Self.mode(state + "/engine/layer") == 0o755)
        #expect(StateFolderGuard.tighten(state, entries: ["journal.jsonl", "last-valid"]) == nil, "said once")
    }
}
