@testable import BerthCommands
import BerthSystem
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every command that opens the state folder refuses a planted link in one line and writes
/// nothing through it; readers create no state folder; history says when there is none.
/// The engine address leads nowhere: each refusal must come before berth looks for it.
struct StateFolderCommandTests {
    static let nowhere = "unix:///nonexistent-berth-test/docker.sock"

    struct Scene {
        let root: String
        let owner = "state-test-" + String(UUID().uuidString.lowercased().prefix(8))
        var specs: String { root + "/specs" }
        var state: String { root + "/state" }
        var victim: String { root + "/outside/victim" }

        init() throws {
            var template = Array((NSTemporaryDirectory() + "berth-commands-test-XXXXXX").utf8CString)
            root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
            for folder in ["specs", "state", "outside"] {
                try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: false)
            }
            try "precious\n".write(toFile: victim, atomically: false, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }

        func berth(_ arguments: [String]) async -> (status: Int32, stderr: String) {
            let console = Console.capturing()
            let argv = arguments + ["--specs", specs, "--owner", owner, "--docker-host", StateFolderCommandTests.nowhere]
            let status = await BerthCLI.run(argv, environment: [:], console: console)
            return (status, console.stderr)
        }

        var outsideListing: [String] { (try? FileManager.default.contentsOfDirectory(atPath: root + "/outside").sorted()) ?? [] }
        var victimText: String { (try? String(contentsOfFile: victim, encoding: .utf8)) ?? "" }
    }

    @Test(arguments: ["lock", "journal.jsonl", "configs.json", "status.json", "kubernetes-kinds.json", "last-valid"])
    func aPlantedLinkIsRefusedByEveryCommandAndNothingIsWrittenThroughIt(name: String) async throws {
        let scene = try Scene()
        defer { scene.remove() }
        let target = name == "last-valid" ? scene.root + "/outside" : scene.victim
        #expect(symlink(target, scene.state + "/" + name) == 0)
        let line = "berth: \(scene.state)/\(name) is a symbolic link to \(target); berth does not follow links in its state folder: remove it\n"

        for command in [["apply"], ["status"], ["history"], ["plan"]] {
            let run = await scene.berth(command + ["--state", scene.state])
            #expect(run.status == 1, "\(command)")
            #expect(run.stderr == line, "\(command)")
        }
        #expect(scene.victimText == "precious\n")
        #expect(scene.outsideListing == ["victim"])
    }

    @Test func historyOnAMissingStateFolderSaysSoAndCreatesNothing() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        let missing = scene.root + "/nonexistent"
        let run = await scene.berth(["history", "--state", missing])
        #expect(run.status != 0)
        #expect(run.stderr == "berth: no state folder at \(missing): berth has recorded nothing there; check --state\n")
        #expect(!FileManager.default.fileExists(atPath: missing))

        // status is a reader too: it fails on the missing engine, and leaves no folder behind.
        _ = await scene.berth(["status", "--state", missing])
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func applyCreatesTheStateFolder0700AndGivesTheOwnerLockBack() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        let fresh = scene.root + "/fresh-state"
        // Its exit code is another matter (an empty specs folder and no engine); the folder is the point.
        _ = await scene.berth(["apply", "--state", fresh])
        var info = stat()
        #expect(stat(fresh, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o700)
        let locks = (try? FileManager.default.contentsOfDirectory(atPath: OwnerLock.defaultDirectory())) ?? []
        #expect(!locks.contains { $0.hasPrefix(scene.owner + "-") }, "the owner lock's file goes with the lock")
    }

    /// A reader who cannot open the lock (another user, a 0700 folder) is told status cannot
    /// tell, never shown status.json as the running watch's. The file-system uid is per thread
    /// on Linux, so this thread alone acts as "nobody" while it asks.
    @Test func statusCannotTellWhenTheLockCannotBeOpened() throws {
        guard geteuid() == 0 else { return }
        let scene = try Scene()
        defer { scene.remove() }
        #expect(chmod(scene.root, 0o755) == 0)
        let watch = try StateLock.acquire(stateDirectory: scene.state, purpose: "watch")
        defer { watch.release() }
        let arguments = try Arguments.parse(["status", "--state", scene.state, "--specs", scene.specs],
                                            options: CommandTable.allOptions)
        let settings = try Settings(arguments: arguments, environment: [:])
        #expect(try StatusCommand.watchIsRunning(settings) == .running)

        typealias SetFSUID = @convention(c) (uid_t) -> Int32
        guard let symbol = dlsym(nil, "setfsuid") else { Issue.record("no setfsuid in libc"); return }
        let setfsuid = unsafeBitCast(symbol, to: SetFSUID.self)
        func asNobody() -> Result<StatusCommand.WatchPresence, any Error> {
            _ = setfsuid(65534)
            defer { _ = setfsuid(0) }
            return Result { try StatusCommand.watchIsRunning(settings) }
        }
        // A folder others may enter: the lock is 0600 as every state file, so still no.
        #expect(chmod(scene.state, 0o755) == 0)
        let entered = asNobody()
        #expect((try? entered.get()) == .cannotTell("cannot open \(scene.state)/lock: Permission denied"), "\(entered)")
        // A 0700 folder (as berth makes them): the lock cannot be opened, so status cannot tell.
        #expect(chmod(scene.state, 0o700) == 0)
        let seen = asNobody()
        #expect((try? seen.get()) == .cannotTell("cannot open \(scene.state)/lock: Permission denied"), "\(seen)")
    }

    @Test func aStateFolderInsideTheSpecsIsRefusedBeforeAnythingIsCreated() async throws {
        let scene = try Scene()
        defer { scene.remove() }
        let inside = scene.specs + "/state"
        let run = await scene.berth(["apply", "--state", inside])
        #expect(run.status == 1)
        #expect(run.stderr == "berth: \(inside) lies inside the specs folder \(scene.specs); whoever can push a spec could plant files in "
            + "berth's state: choose a --state outside \(scene.specs)\n")
        #expect(!FileManager.default.fileExists(atPath: inside))
    }
}
