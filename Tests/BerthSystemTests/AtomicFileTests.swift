import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

struct AtomicFileTests {
    @Test func writesNewFileAndLeavesNoTemporary() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/desired.json"

        try AtomicFile.write("{\"a\":1}\n", to: path)
        #expect(String(decoding: try FileSystem.readFile(path), as: UTF8.self) == "{\"a\":1}\n")
        #expect(try directory.listing() == ["desired.json"])
    }

    @Test func replacesExistingContentCompletely() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/state.json"

        try AtomicFile.write(Array(repeating: UInt8(ascii: "x"), count: 10_000), to: path)
        try AtomicFile.write([1, 2, 3], to: path)
        // Shorter new content must not leave the old tail behind.
        #expect(try FileSystem.readFile(path) == [1, 2, 3])
        #expect(try directory.listing() == ["state.json"])
    }

    @Test func emptyContentIsAnEmptyFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/empty"
        try AtomicFile.write("old", to: path)
        try AtomicFile.write([UInt8](), to: path)
        #expect(FileSystem.exists(path))
        #expect(try FileSystem.readFile(path).isEmpty)
    }

    @Test func failureKeepsOldContentAndCleansUp() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/target"
        // A non-empty directory at the target makes rename(2) fail after the temporary
        // file has been fully written: the cleanup path must remove it.
        try FileSystem.makeDirectories(path + "/occupied")

        let error = #expect(throws: SystemError.self) {
            try AtomicFile.write("new", to: path)
        }
        #expect(error?.path == path)
        #expect(error?.description.hasPrefix("cannot rename into place \(path): ") == true)
        #expect(try directory.listing() == ["target"])
        #expect(FileSystem.isDirectory(path + "/occupied"))
    }

    @Test func missingDirectoryNamesTheTemporaryPath() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let error = #expect(throws: SystemError.self) {
            try AtomicFile.write("x", to: directory.path + "/absent/file")
        }
        #expect(error?.errno == ENOENT)
        #expect(error?.path?.hasPrefix(directory.path + "/absent/.file.tmp-") == true)
    }

    @Test func largeContentRoundTrips() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path + "/big"
        let content = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(content, to: path)
        #expect(try FileSystem.readFile(path) == content)
    }
}
