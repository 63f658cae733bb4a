import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

struct BuildContextTests {
    /// A stand-in for SHA-256 that cannot collide: the bytes themselves, in hex.
    static func hexOfBytes(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16) }.joined(separator: ".")
    }

    /// A context with something for every rule: ignored files and folders, an exception
    /// inside an ignored folder, a symlink leaving the context, an empty directory.
    static func makeContext() throws -> TemporaryDirectory {
        let context = try TemporaryDirectory()
        let root = context.path
        try writeFile(root + "/Dockerfile", Array("FROM scratch\nCOPY . /\n".utf8))
        try writeFile(root + "/.dockerignore", Array("*.log\nsecret/\n!secret/keep\nDockerfile\n.dockerignore\nnode_modules\n".utf8))
        try writeFile(root + "/src/main.swift", Array("print(1)\n".utf8), mode: 0o755)
        try writeFile(root + "/src/debug.log", Array("src logs are kept: *.log is top-level only\n".utf8))
        try writeFile(root + "/app.log", Array("ignored\n".utf8))
        try writeFile(root + "/secret/hidden", Array("ignored\n".utf8))
        try writeFile(root + "/secret/keep", Array("re-included\n".utf8))
        try writeFile(root + "/node_modules/x/y.js", Array("ignored\n".utf8))
        try FileSystem.makeDirectories(root + "/emptydir")
        #expect(symlink("../outside/target", root + "/link") == 0)
        return context
    }

    @Test func walksInOrderApplyingDockerignore() throws {
        let context = try Self.makeContext()
        defer { context.remove() }
        let scanned = try BuildContext(scanning: context.path + "/")
        #expect(scanned.root == context.path)
        #expect(scanned.entries.map(\.description) == [
            "file 0644 .dockerignore (65 bytes)",
            "file 0644 Dockerfile (22 bytes)",
            "dir 0755 emptydir",
            "link 0777 link -> ../outside/target",
            "file 0644 secret/keep (12 bytes)",
            "dir 0755 src",
            "file 0644 src/debug.log (43 bytes)",
            "file 0755 src/main.swift (9 bytes)",
        ])
        #expect(scanned.skipped.isEmpty)
    }

    @Test func archiveExtractsToTheIncludedFiles() throws {
        let context = try Self.makeContext()
        defer { context.remove() }
        let scanned = try BuildContext(scanning: context.path)
        let collector = ByteCollector()
        try scanned.writeArchive(to: collector.append)
        #expect(UInt64(collector.bytes.count) == scanned.archiveSize)

        let out = try TemporaryDirectory()
        defer { out.remove() }
        let archive = out.path + "/context.tar"
        try AtomicFile.write(collector.bytes, to: archive)
        #expect(try SystemTar.names(archive) == [
            ".dockerignore", "Dockerfile", "emptydir/", "link", "secret/keep", "src/", "src/debug.log",
            "src/main.swift",
        ])
        let extracted = out.path + "/x"
        try FileSystem.makeDirectories(extracted)
        try SystemTar.extract(archive, into: extracted)
        for path in [".dockerignore", "Dockerfile", "secret/keep", "src/main.swift", "src/debug.log"] {
            #expect(try FileSystem.readFile(extracted + "/" + path) == FileSystem.readFile(context.path + "/" + path))
        }
        #expect(!FileSystem.exists(extracted + "/app.log") && !FileSystem.exists(extracted + "/secret/hidden"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: extracted + "/link") == "../outside/target")
    }

    @Test func scansAndArchivesAreDeterministic() throws {
        let context = try Self.makeContext()
        defer { context.remove() }
        let first = ByteCollector()
        try BuildContext(scanning: context.path).writeArchive(to: first.append)
        let second = ByteCollector()
        try BuildContext(scanning: context.path).writeArchive(to: second.append)
        #expect(!first.bytes.isEmpty && first.bytes == second.bytes)
    }

    @Test func digestFollowsContentNotTimes() throws {
        let context = try Self.makeContext()
        defer { context.remove() }
        let root = context.path
        func digest() throws -> String {
            try BuildContext(scanning: root).digest(using: Self.hexOfBytes)
        }
        let original = try digest()

        // touch: a new modification time alone.
        var times = [timespec(tv_sec: 1_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, root + "/src/main.swift", &times, 0) == 0)
        #expect(utimensat(AT_FDCWD, root + "/src", &times, 0) == 0)
        #expect(try digest() == original)

        // An ignored file's content is not part of the context.
        try writeFile(root + "/app.log", Array("different and longer\n".utf8))
        try writeFile(root + "/secret/hidden", Array("changed\n".utf8))
        #expect(try digest() == original)

        // One byte, same size: only the content can tell.
        try writeFile(root + "/src/main.swift", Array("print(2)\n".utf8), mode: 0o755)
        let edited = try digest()
        #expect(edited != original)

        // Permission bits are sent, so they count.
        #expect(chmod(root + "/src/main.swift", 0o644) == 0)
        #expect(try digest() != edited)
    }

    @Test func digestInputIsCanonicalText() throws {
        let context = try TemporaryDirectory()
        defer { context.remove() }
        try writeFile(context.path + "/Dockerfile", Array("FROM x\n".utf8))
        try FileSystem.makeDirectories(context.path + "/d")
        #expect(symlink("Dockerfile", context.path + "/l") == 0)
        let input = try BuildContext(scanning: context.path).digestInput(hashingChunksWith: { "<\($0.count)>" })
        #expect(String(decoding: input, as: UTF8.self) == """
            berth-build-context 1
            f 0644 10:Dockerfile 7 3:<7>
            d 0755 1:d
            l 0777 1:l 10:Dockerfile

            """)
    }

    @Test func dockerfileIsSentEvenInsideAnIgnoredFolder() throws {
        let context = try TemporaryDirectory()
        defer { context.remove() }
        try writeFile(context.path + "/.dockerignore", Array("build\n".utf8))
        try writeFile(context.path + "/build/Dockerfile", Array("FROM x\n".utf8))
        try writeFile(context.path + "/build/other", Array("no\n".utf8))
        let scanned = try BuildContext(scanning: context.path, dockerfile: "./build//Dockerfile")
        #expect(scanned.dockerfile == "build/Dockerfile")
        #expect(scanned.entries.map(\.path) == [".dockerignore", "build/Dockerfile"])
    }

    @Test func missingContextIsAnErrorNamingIt() throws {
        let context = try TemporaryDirectory()
        defer { context.remove() }
        let missing = context.path + "/nope"
        let error = #expect(throws: SystemError.self) { try BuildContext(scanning: missing) }
        #expect(error?.description == "cannot open build context \(missing): No such file or directory")

        try writeFile(context.path + "/file", [])
        let notDirectory = #expect(throws: SystemError.self) { try BuildContext(scanning: context.path + "/file") }
        #expect(notDirectory?.errno == ENOTDIR && notDirectory?.path == context.path + "/file")
    }

    @Test func unreadableOrChangedFilesAreErrorsNamingThem() throws {
        let context = try Self.makeContext()
        defer { context.remove() }
        let scanned = try BuildContext(scanning: context.path)

        // Grew since the scan: the archive must not carry a header that lies about its size.
        let main = context.path + "/src/main.swift"
        try writeFile(main, Array("print(1)\nprint(2)\n".utf8))
        let grown = #expect(throws: SystemError.self) { try scanned.writeArchive(to: { _ in }) }
        #expect(grown?.path == main && grown?.errno == EAGAIN)
        #expect(throws: SystemError.self) { try scanned.digest(using: Self.hexOfBytes) }

        // Gone since the scan (root reads through permissions, so removal stands in for
        // "cannot be read" here).
        #expect(unlink(main) == 0)
        let gone = #expect(throws: SystemError.self) { try scanned.digest(using: Self.hexOfBytes) }
        #expect(gone?.description == "cannot open \(main): No such file or directory")
    }

    @Test func badDockerignoreNamesTheFile() throws {
        let context = try TemporaryDirectory()
        defer { context.remove() }
        try writeFile(context.path + "/.dockerignore", Array("ok\n[broken\n".utf8))
        let error = #expect(throws: DockerIgnoreError.self) { try BuildContext(scanning: context.path) }
        #expect(error?.file == context.path + "/.dockerignore")
        #expect(error?.pattern == "[broken")
    }

    @Test func socketsAreSkippedAndListed() throws {
        let context = try TemporaryDirectory()
        defer { context.remove() }
        #expect(mkfifo(context.path + "/pipe", 0o644) == 0)
        let scanned = try BuildContext(scanning: context.path)
        #expect(scanned.entries.isEmpty)
        #expect(scanned.skipped == ["pipe"])
    }
}
