import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

struct FileSystemTests {
    @Test func makeDirectoriesCreatesParentsAndIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let deep = directory.path + "/a/b/c/"
        try FileSystem.makeDirectories(deep)
        try FileSystem.makeDirectories(deep)
        #expect(FileSystem.isDirectory(directory.path + "/a/b/c"))
    }

    @Test func makeDirectoriesRefusesAFileInTheWay() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try AtomicFile.write("x", to: directory.path + "/file")
        let error = #expect(throws: SystemError.self) {
            try FileSystem.makeDirectories(directory.path + "/file/sub")
        }
        // The failure names the component in the way, not the directory asked for.
        #expect(error?.errno == EEXIST)
        #expect(error?.path == directory.path + "/file")
    }

    @Test func readFileAndExists() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/f"
        #expect(!FileSystem.exists(path))
        let error = #expect(throws: SystemError.self) { try FileSystem.readFile(path) }
        #expect(error?.description == "cannot open \(path): No such file or directory")

        try AtomicFile.write("hello", to: path)
        #expect(FileSystem.exists(path))
        #expect(try FileSystem.readFile(path) == Array("hello".utf8))
    }

    @Test func pathComponents() {
        #expect(FileSystem.parentDirectory(of: "state/journal.jsonl") == "state")
        #expect(FileSystem.parentDirectory(of: "journal.jsonl") == ".")
        #expect(FileSystem.parentDirectory(of: "/journal.jsonl") == "/")
        #expect(FileSystem.parentDirectory(of: "a/b/") == "a")
        #expect(FileSystem.lastComponent(of: "a/b/c") == "c")
        #expect(FileSystem.lastComponent(of: "a/b/c/") == "c")
        #expect(FileSystem.lastComponent(of: "c") == "c")
    }

    @Test func systemErrorDescriptions() {
        let withPath = SystemError(operation: "open", path: "state/journal.jsonl", errno: ENOSPC)
        #expect(withPath.description == "cannot open state/journal.jsonl: No space left on device")
        let withoutPath = SystemError(operation: "fork", errno: EAGAIN)
        #expect(withoutPath.description == "cannot fork: Resource temporarily unavailable")
    }
}
