import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

#if canImport(Glibc)
import Glibc
#endif

/// Runs the system's GNU tar, the independent reader the archives are checked against.
enum SystemTar {
    /// Runs `tar arguments...`, returning standard output; a non-zero exit fails the test.
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile()
        let problems = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0,
            "tar \(arguments) failed: \(String(decoding: problems, as: UTF8.self))"
        )
        return String(decoding: text, as: UTF8.self)
    }

    /// The member names `tar -tf` lists, in archive order.
    static func names(_ archive: String) throws -> [String] {
        try run(["-tf", archive]).split(separator: "\n").map(String.init)
    }

    /// Extracts `archive` into `directory`.
    static func extract(_ archive: String, into directory: String) throws {
        _ = try run(["-xf", archive, "-C", directory])
    }
}

/// Collects a writer's output and counts the calls.
final class ByteCollector: @unchecked Sendable {
    // @unchecked: used from one test's thread only.
    var bytes: [UInt8] = []
    var largestChunk = 0

    func append(_ chunk: ArraySlice<UInt8>) {
        bytes.append(contentsOf: chunk)
        largestChunk = max(largestChunk, chunk.count)
    }
}

func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws {
    try FileSystem.makeDirectories(FileSystem.parentDirectory(of: path))
    try AtomicFile.write(bytes, to: path)
    #expect(chmod(path, mode) == 0)
}

/// Deterministic, non-repeating-looking content: a byte-order bug cannot hide in zeros.
func patternBytes(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

struct TarWriterTests {
    static let path150 = String(repeating: "a", count: 40) + "/" + String(repeating: "b", count: 40) + "/"
        + String(repeating: "c", count: 68)
    /// The last component alone is over 100 bytes, so only PAX can hold it.
    static let path250 = String(repeating: "p", count: 100) + "/" + String(repeating: "q", count: 149)
    static let longTarget = String(repeating: "t", count: 120)

    /// Writes the fixture archive: every kind of entry and both long-name mechanisms.
    static func writeFixture(source: String, to collector: ByteCollector) throws {
        var writer = TarWriter(sink: collector.append)
        try writer.addDirectory("dir", mode: 0o750)
        try writer.addFile("dir/script.sh", mode: 0o755, bytes: Array("#!/bin/sh\necho hi\n".utf8))
        try writer.addFile("empty", contentsOf: source + "/empty")
        try writer.addFile("big.bin", contentsOf: source + "/big.bin")
        try writer.addFile(path150, bytes: Array("one fifty".utf8))
        try writer.addFile(path250, bytes: Array("two fifty".utf8))
        try writer.addSymlink("link", target: "dir/script.sh")
        try writer.addSymlink("far", target: longTarget)
        try writer.finish()
        #expect(writer.bytesWritten == UInt64(collector.bytes.count))
    }

    static func makeSource() throws -> TemporaryDirectory {
        let source = try TemporaryDirectory()
        try writeFile(source.path + "/empty", [])
        try writeFile(source.path + "/big.bin", patternBytes(3 * 1024 * 1024 + 17))
        return source
    }

    @Test func systemTarListsAndExtractsEveryEntry() throws {
        let source = try Self.makeSource()
        defer { source.remove() }
        let collector = ByteCollector()
        try Self.writeFixture(source: source.path, to: collector)
        let archive = source.path + "/out.tar"
        try AtomicFile.write(collector.bytes, to: archive)

        #expect(Self.path150.utf8.count == 150 && Self.path250.utf8.count == 250)
        #expect(try SystemTar.names(archive) == [
            "dir/", "dir/script.sh", "empty", "big.bin", Self.path150, Self.path250, "link", "far",
        ])
        let verbose = try SystemTar.run(["-tvf", archive])
        #expect(verbose.contains("-rwxr-xr-x 0/0"))
        #expect(verbose.contains("drwxr-x--- 0/0"))
        #expect(verbose.contains("link -> dir/script.sh"))
        #expect(verbose.contains("far -> " + Self.longTarget))

        let out = try TemporaryDirectory()
        defer { out.remove() }
        try SystemTar.extract(archive, into: out.path)
        #expect(try FileSystem.readFile(out.path + "/empty") == [])
        #expect(try FileSystem.readFile(out.path + "/big.bin") == FileSystem.readFile(source.path + "/big.bin"))
        #expect(try FileSystem.readFile(out.path + "/" + Self.path150) == Array("one fifty".utf8))
        #expect(try FileSystem.readFile(out.path + "/" + Self.path250) == Array("two fifty".utf8))
        #expect(try FileSystem.readFile(out.path + "/dir/script.sh") == Array("#!/bin/sh\necho hi\n".utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.path + "/link") == "dir/script.sh")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.path + "/far") == Self.longTarget)
        var info = stat()
        #expect(stat(out.path + "/dir/script.sh", &info) == 0 && info.st_mode & 0o777 == 0o755)
    }

    @Test func longNamesUsePrefixWhenSplittableAndPaxOtherwise() throws {
        // 150 bytes with a '/' at a usable place: ustar prefix, no extended header.
        let split = TarHeader(path: Self.path150, kind: .regular, mode: 0o644).encoded()
        #expect(split.count == 512)
        #expect(Array(split[345..<(345 + 81)]) == Array(Self.path150.utf8.prefix(81)))
        #expect(Array(split[0..<68]) == Array(String(repeating: "c", count: 68).utf8))

        let pax = TarHeader(path: Self.path250, kind: .regular, mode: 0o644).encoded()
        #expect(pax.count == 512 * 3) // extended header, its records, the ustar header
        #expect(pax[156] == UInt8(ascii: "x") && pax[512 + 512 + 156] == UInt8(ascii: "0"))
        let record = String(decoding: pax[512..<1024], as: UTF8.self)
        #expect(record.hasPrefix("260 path=" + Self.path250 + "\n"))
    }

    @Test func paxRecordLengthCountsItsOwnDigits() {
        // Around the 1-to-2 and 2-to-3 digit boundaries the length grows as it is written.
        for valueLength in 0..<120 {
            let record = TarHeader.paxRecord("path", [UInt8](repeating: UInt8(ascii: "v"), count: valueLength))
            let declared = Int(String(decoding: record.prefix { $0 != UInt8(ascii: " ") }, as: UTF8.self))
            #expect(declared == record.count, "value of \(valueLength) bytes")
        }
    }

    @Test func sizesBeyondUstarGetAPaxSizeRecord() {
        let header = TarHeader(path: "huge", kind: .regular, mode: 0o644, size: 8 * 1024 * 1024 * 1024).encoded()
        #expect(header.count == 1536)
        #expect(String(decoding: header[512..<1024], as: UTF8.self).hasPrefix("19 size=8589934592\n"))
    }

    @Test func headerChecksumsAreCorrect() throws {
        let source = try Self.makeSource()
        defer { source.remove() }
        let collector = ByteCollector()
        try Self.writeFixture(source: source.path, to: collector)
        // Walk the archive by its own size fields; every header must checksum.
        var offset = 0
        var headers = 0
        while offset + 512 <= collector.bytes.count, collector.bytes[offset] != 0 {
            var block = Array(collector.bytes[offset..<(offset + 512)])
            let stored = Int(String(decoding: block[148..<154], as: UTF8.self), radix: 8)
            block.replaceSubrange(148..<156, with: [UInt8](repeating: 32, count: 8))
            #expect(stored == block.reduce(0) { $0 + Int($1) })
            #expect(Array(block[257..<263]) == Array("ustar\0".utf8))
            let size = Int(String(decoding: block[124..<135], as: UTF8.self), radix: 8) ?? -1
            offset += 512 + (size + 511) / 512 * 512
            headers += 1
        }
        #expect(headers == 10) // eight entries, two of them with an extended header
        #expect(collector.bytes.count == offset + 1024)
        #expect(collector.bytes[offset...].allSatisfy { $0 == 0 })
    }

    @Test func sameEntriesGiveIdenticalBytes() throws {
        let source = try Self.makeSource()
        defer { source.remove() }
        let first = ByteCollector()
        try Self.writeFixture(source: source.path, to: first)
        // A later modification time must not leak into the archive.
        #expect(utimensat(AT_FDCWD, source.path + "/big.bin", nil, 0) == 0)
        let second = ByteCollector()
        try Self.writeFixture(source: source.path, to: second)
        #expect(first.bytes.count % 512 == 0)
        #expect(first.bytes == second.bytes)
    }

    @Test func filesAreStreamedInChunks() throws {
        let source = try Self.makeSource()
        defer { source.remove() }
        let collector = ByteCollector()
        var writer = TarWriter(sink: collector.append)
        try writer.addFile("big.bin", contentsOf: source.path + "/big.bin")
        #expect(collector.largestChunk <= 256 * 1024)
        #expect(collector.bytes.count == 512 + (3 * 1024 * 1024 + 17 + 511) / 512 * 512)
    }

    @Test func fileOfUnexpectedSizeIsRefusedNamingIt() throws {
        let source = try Self.makeSource()
        defer { source.remove() }
        let collector = ByteCollector()
        var writer = TarWriter(sink: collector.append)
        let path = source.path + "/empty"
        let error = #expect(throws: SystemError.self) {
            try writer.addFile("empty", contentsOf: path, expectedSize: 5)
        }
        #expect(error?.path == path)
        #expect(collector.bytes.isEmpty)

        let missing = #expect(throws: SystemError.self) {
            try writer.addFile("gone", contentsOf: source.path + "/gone")
        }
        #expect(missing?.description == "cannot open \(source.path)/gone: No such file or directory")
    }
}
