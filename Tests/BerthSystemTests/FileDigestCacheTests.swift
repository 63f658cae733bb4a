import BerthTestSupport
import Foundation
import Testing
@testable import BerthSystem

/// A build context is read once: later digests come from the cache while files are unchanged
/// (issue 19: a 20,000-file context was hashed on every plan, twice per apply).
struct FileDigestCacheTests {
    @Test func anUnchangedContextIsReadOnceAndAChangeIsSeen() throws {
        let context = try BuildContextTests.makeContext()
        defer { context.remove() }
        let cache = FileDigestCache(racyWindowNanoseconds: 0)
        let plain = try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes)
        let first = try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes, cache: cache)
        #expect(first == plain, "the cache never changes the digest")
        let files = cache.misses
        #expect(files > 0 && cache.hits == 0)
        let second = try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes, cache: cache)
        #expect(second == first)
        #expect(cache.hits == files && cache.misses == files, "nothing read again")

        // Same size, new bytes: the times differ, so the file is read again.
        try Array("print(2)\n".utf8).write(to: context.path + "/src/main.swift")
        let third = try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes, cache: cache)
        #expect(third != first)
        #expect(cache.misses == files + 1)
    }

    @Test func theCacheIsKeptInAFileAndAFileJustChangedIsNotTrusted() throws {
        let context = try BuildContextTests.makeContext()
        defer { context.remove() }
        let store = context.path + "/../" + UUID().uuidString + ".digests"
        defer { try? FileManager.default.removeItem(atPath: store) }
        let writer = FileDigestCache(racyWindowNanoseconds: 0)
        writer.persist(at: store)
        let first = try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes, cache: writer)
        writer.save()
        let reader = FileDigestCache(racyWindowNanoseconds: 0)
        reader.persist(at: store)
        #expect(try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes, cache: reader) == first)
        #expect(reader.misses == 0 && reader.hits == writer.misses, "a new process starts warm")

        // The default window: a file written a moment ago is hashed but not remembered.
        let careful = FileDigestCache()
        _ = try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes, cache: careful)
        _ = try BuildContext(scanning: context.path).digest(using: BuildContextTests.hexOfBytes, cache: careful)
        #expect(careful.hits == 0)
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws { try Data(self).write(to: URL(fileURLWithPath: path)) }
}
