import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// A state folder cannot be redirected: planted links, foreign files, a folder in the specs
/// tree or in git are refused in one line, and nothing outside the folder is written.
struct StateFolderGuardTests {
    /// A folder with `state/` and, beside it, `outside/victim` that a planted link points at.
    struct Scene {
        let directory: TemporaryDirectory
        var state: String { directory.path + "/state" }
        var victim: String { directory.path + "/outside/victim" }
        var outside: String { directory.path + "/outside" }

        init() throws {
            directory = try TemporaryDirectory()
            try FileManager.default.createDirectory(atPath: directory.path + "/state", withIntermediateDirectories: false)
            try FileManager.default.createDirectory(atPath: directory.path + "/outside", withIntermediateDirectories: false)
            try AtomicFile.write("precious\n", to: directory.path + "/outside/victim")
        }

        func plant(_ name: String, to target: String) {
            #expect(symlink(target, state + "/" + name) == 0)
        }

        /// The victim's content and the outside folder's listing are what they were.
        func expectOutsideUntouched() throws {
            #expect(String(decoding: try FileSystem.readFile(victim), as: UTF8.self) == "precious\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == ["victim"])
        }
    }

    @Test func plantedLockLinkIsRefusedAndItsTargetNeverWritten() throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        scene.plant("lock", to: scene.victim)

        let error = #expect(throws: StateFolderRefusal.self) { try StateLock.acquire(stateDirectory: scene.state, purpose: "apply") }
        #expect(error?.message == "\(scene.state)/lock is a symbolic link to \(scene.victim); berth does not follow links in its state folder: remove it")
        #expect(throws: StateFolderRefusal.self) { try StateLock.probe(stateDirectory: scene.state) }
        try scene.expectOutsideUntouched()
    }

    @Test func plantedFileLinksAreRefusedForReadAndWrite() throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        for name in ["journal.jsonl", "configs.json", "status.json", "kubernetes-kinds.json"] {
            scene.plant(name, to: scene.victim)
            let path = scene.state + "/" + name
            let line = "\(path) is a symbolic link to \(scene.victim); berth does not follow links in its state folder: remove it"
            #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.write(Array("{}".utf8), to: path) })?.message == line)
            #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.read(path) })?.message == line)
            #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.open(path, flags: O_WRONLY | O_APPEND | O_CREAT) })?.message == line)
            #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.check(path, is: .file) })?.message == line)
        }
        try scene.expectOutsideUntouched()
        // The links are still there, unreplaced: berth refused, it did not "repair" anything.
        #expect(StateFolderRefusal.linkTarget(scene.state + "/status.json") == scene.victim)
    }

    @Test func plantedLastValidLinkIsRefusedAnywhereInTheTree() throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        scene.plant("last-valid", to: scene.outside)
        let copy = scene.state + "/last-valid/apps/web.json"

        let error = #expect(throws: StateFolderRefusal.self) {
            try StateFolderGuard.makeFolders(FileSystem.parentDirectory(of: copy), inside: scene.state)
        }
        #expect(error?.message == "\(scene.state)/last-valid is a symbolic link to \(scene.outside); berth does not follow links in its state folder: remove it")
        #expect(throws: StateFolderRefusal.self) { try StateFolderGuard.checkTree(scene.state + "/last-valid") }

        // One level down: a real last-valid/ holding a link to a folder outside.
        #expect(unlink(scene.state + "/last-valid") == 0)
        try StateFolderGuard.makeFolders(scene.state + "/last-valid", inside: scene.state)
        #expect(symlink(scene.outside, scene.state + "/last-valid/apps") == 0)
        #expect(throws: StateFolderRefusal.self) { try StateFolderGuard.checkTree(scene.state + "/last-valid") }
        #expect(throws: StateFolderRefusal.self) {
            try StateFolderGuard.makeFolders(FileSystem.parentDirectory(of: copy), inside: scene.state)
        }
        try scene.expectOutsideUntouched()
    }

    @Test func aNamedPipeOrFolderInPlaceOfAFileIsRefusedWithoutHanging() throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        #expect(mkfifo(scene.state + "/status.json", 0o600) == 0)
        #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.read(scene.state + "/status.json") })?.message
            == "\(scene.state)/status.json is a named pipe, not a regular file; berth keeps only its own files in its state folder: remove it")
        #expect(mkdir(scene.state + "/lock", 0o700) == 0)
        #expect(throws: StateFolderRefusal.self) { try StateLock.acquire(stateDirectory: scene.state, purpose: "apply") }
    }

    @Test func aStateFolderThatIsALinkIsRefusedAndNotCreatedThrough() throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        let link = scene.directory.path + "/linked-state"
        #expect(symlink(scene.outside, link) == 0)

        let line = "\(link) is a symbolic link to \(scene.outside); berth does not follow a link as its state folder: "
            + "give the real folder as --state, or remove the link"
        #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.prepare(link, specsDirectory: nil) })?.message == line)
        #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.inspect(link, specsDirectory: nil) })?.message == line)
        #expect(throws: StateFolderRefusal.self) { try StateLock.acquire(stateDirectory: link, purpose: "watch") }
        try scene.expectOutsideUntouched()
    }

    @Test func writersCreateTheFolder0700AndReadersCreateNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let state = directory.path + "/nested/state"

        #expect(try StateFolderGuard.inspect(state, specsDirectory: nil) == false)
        #expect(!FileSystem.exists(directory.path + "/nested"))
        #expect(try StateLock.probe(stateDirectory: state) == .free)
        #expect(!FileSystem.exists(state))

        try StateFolderGuard.prepare(state, specsDirectory: nil)
        var info = stat()
        #expect(stat(state, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o700)

        let other = directory.path + "/by-lock"
        let lock = try StateLock.acquire(stateDirectory: other, purpose: "apply")
        defer { lock.release() }
        #expect(stat(other, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o700)
        try StateFolderGuard.makeFolders(other + "/last-valid/apps", inside: other)
        #expect(stat(other + "/last-valid/apps", &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o700)
    }

    @Test func aFolderOthersCanWriteIsRefused() throws {
        let scene = try Scene()
        defer { scene.directory.remove() }
        #expect(chmod(scene.state, 0o777) == 0)
        #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.prepare(scene.state, specsDirectory: nil) })?.message
            == "\(scene.state) is writable by other users (mode 777); they could plant links or files in berth's state: chmod go-w \(scene.state)")
    }

    @Test func aFileOfAnotherUserIsRefused() throws {
        guard geteuid() == 0 else { return }  // only root can give a file away
        let scene = try Scene()
        defer { scene.directory.remove() }
        try AtomicFile.write("{}", to: scene.state + "/configs.json")
        #expect(chown(scene.state + "/configs.json", 65534, 65534) == 0)
        #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.read(scene.state + "/configs.json") })?.message
            == "\(scene.state)/configs.json belongs to uid 65534, not to uid 0 that berth runs as; that user could change what berth records: "
            + "remove it, or run berth as uid 65534")
    }

    @Test func aStateFolderInsideTheSpecsTreeIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let specs = directory.path + "/specs"
        try FileManager.default.createDirectory(atPath: specs + "/apps", withIntermediateDirectories: true)

        for state in [specs + "/state", specs + "/apps/../state", specs, specs + "/apps/deeper/state"] {
            let error = #expect(throws: StateFolderRefusal.self) { try StateFolderGuard.prepare(state, specsDirectory: specs) }
            #expect(error?.message == "\(state) lies inside the specs folder \(specs); whoever can push a spec could plant files in "
                + "berth's state: choose a --state outside \(specs)")
        }
        // Reached through a link to the specs folder, it is still inside.
        #expect(symlink(specs, directory.path + "/alias") == 0)
        #expect(throws: StateFolderRefusal.self) { try StateFolderGuard.prepare(directory.path + "/alias/state", specsDirectory: specs) }
        #expect(!FileSystem.exists(specs + "/state"))
        // Beside the specs folder is the layout berth expects.
        try StateFolderGuard.prepare(directory.path + "/state", specsDirectory: specs)
    }

    @Test func aStateFolderTrackedByGitIsRefused() throws {
        guard let git = GitTracking.executable("git") else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let repo = directory.path
        func run(_ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: git)
            process.arguments = ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t"] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "git \(arguments)")
        }
        try run(["init", "-q"])
        try FileManager.default.createDirectory(atPath: repo + "/state", withIntermediateDirectories: false)
        try AtomicFile.write("", to: repo + "/state/.gitkeep")
        try run(["add", "state/.gitkeep"])
        try run(["commit", "-q", "-m", "keep"])
        // A placeholder that keeps the folder in the repository is fine.
        try StateFolderGuard.prepare(repo + "/state", specsDirectory: nil)

        try AtomicFile.write("", to: repo + "/state/journal.jsonl")
        try run(["add", "state/journal.jsonl"])
        let line = "\(repo)/state holds files tracked by git (\(repo)/state/journal.jsonl); a git pull could replace berth's files with "
            + "links: untrack them (git rm -r --cached \(repo)/state) and ignore the folder, or choose a --state outside the repository"
        #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.prepare(repo + "/state", specsDirectory: nil) })?.message == line)
        #expect((#expect(throws: StateFolderRefusal.self) { try StateFolderGuard.inspect(repo + "/state", specsDirectory: nil) })?.message == line)
    }
}

/// state/git/current is the one link berth makes itself; any other link is still refused.
struct StateFolderGitLinkTests {
    static let hash = "0123456789abcdef0123456789abcdef01234567"

    func scene() throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let git = directory.path + "/git"
        #expect(mkdir(git, 0o700) == 0)
        #expect(mkdir(git + "/rev-" + Self.hash, 0o700) == 0)
        #expect(mkdir(git + "/repo.git", 0o700) == 0)
        try AtomicFile.write("{}\n", to: git + "/rev-" + Self.hash + "/web.json")
        return (directory, git)
    }

    @Test func theCurrentLinkToARevisionFolderIsAccepted() throws {
        let (directory, git) = try scene()
        defer { directory.remove() }
        #expect(symlink("rev-" + Self.hash, git + "/current") == 0)
        try StateFolderGuard.checkGitFolder(git)
        try StateFolderGuard.checkGitFolder(git, reading: true)
    }

    @Test(arguments: [
        ("current", "/etc"),
        ("current", "../last-valid"),
        ("current", "rev-0123"),
        ("other", "rev-0123456789abcdef0123456789abcdef01234567"),
    ])
    func anyOtherLinkIsRefused(name: String, target: String) throws {
        let (directory, git) = try scene()
        defer { directory.remove() }
        #expect(symlink(target, git + "/" + name) == 0)
        #expect(throws: StateFolderRefusal.self) { try StateFolderGuard.checkGitFolder(git) }
    }

    @Test func aLinkInsideACheckoutIsRefused() throws {
        let (directory, git) = try scene()
        defer { directory.remove() }
        #expect(symlink("rev-" + Self.hash, git + "/current") == 0)
        #expect(symlink("/etc/shadow", git + "/rev-" + Self.hash + "/secret.json") == 0)
        #expect(throws: StateFolderRefusal.self) { try StateFolderGuard.checkGitFolder(git) }
    }

    @Test func revisionFolderNamesAreExactlyAFullHash() {
        #expect(StateFolderGuard.isRevisionFolderName("rev-" + Self.hash))
        #expect(!StateFolderGuard.isRevisionFolderName("rev-" + Self.hash.uppercased()))
        #expect(!StateFolderGuard.isRevisionFolderName("rev-" + Self.hash + "/.."))
        #expect(!StateFolderGuard.isRevisionFolderName("/rev-" + Self.hash))
    }
}
