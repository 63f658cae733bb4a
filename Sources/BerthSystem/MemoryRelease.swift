#if canImport(Glibc)
import Glibc
#endif

/// Gives memory an idle `berth watch` no longer uses back to the system. Where an idle
/// watch's resident memory went (static release, 100 containers): freed heap kept by glibc's
/// per-thread arenas (16 of them on 2 cores, most of it free), berth's own code paged in by
/// the first pass, and the libraries' code. `useOneArena` stops the first; `release` returns
/// the free heap and drops the code's pages, which stay in the page cache and come back on
/// the next touch.
///
/// glibc's malloc.h is not in Swift's Glibc module, so `mallopt` and `malloc_trim` are looked
/// up by name; on a C library without them (musl) both do nothing.
public enum MemoryRelease {
    /// What one `release` did.
    public struct Summary: Sendable, Equatable {
        /// Mappings whose pages were dropped, and the resident bytes they held.
        public var mappings = 0
        public var bytes = 0
        /// malloc_trim said it gave memory back.
        public var trimmed = false
    }

    /// Caps malloc at one arena. Threads then share one heap (berth's threads spend their time
    /// waiting on sockets, not contending in malloc), and freed memory is in one place that
    /// `malloc_trim` can return. Call before the threads start; true when glibc took it.
    @discardableResult
    public static func useOneArena() -> Bool {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(defaultHandle, "mallopt") else { return false }
        // M_ARENA_MAX from malloc.h.
        let arenaMax: Int32 = -8
        return unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 1) == 1
    }

    /// Returns free heap to the system and drops the pages of the process's private,
    /// read-only file mappings that hold none of its own pages (`SmapsMapping.mayDrop`).
    /// Safe while other threads run: those pages can only be read, and reading one again
    /// maps it back from the page cache.
    @discardableResult
    public static func release(smapsPath: String = "/proc/self/smaps") -> Summary {
        var summary = Summary()
        // The ranges only: the text and the parsed list are freed before the trim below.
        let ranges: [(start: UInt, length: Int, rss: Int)] = {
            guard let bytes = try? FileSystem.readFile(smapsPath) else { return [] }
            return SmapsMapping.parse(String(decoding: bytes, as: UTF8.self))
                .filter(\.mayDrop).map { ($0.start, $0.length, $0.rss) }
        }()
        for range in ranges {
            guard let address = UnsafeMutableRawPointer(bitPattern: range.start) else { continue }
            if madvise(address, range.length, MADV_DONTNEED) == 0 {
                summary.mappings += 1
                summary.bytes += range.rss
            }
        }
        summary.trimmed = trim()
        return summary
    }

    /// `malloc_trim(0)`: every arena's free pages back to the system, not only the top.
    @discardableResult
    public static func trim() -> Bool {
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(defaultHandle, "malloc_trim") else { return false }
        return unsafeBitCast(symbol, to: MallocTrim.self)(0) == 1
    }

    /// RTLD_DEFAULT: the global symbol scope (a null handle in glibc).
    private static var defaultHandle: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: 0) }
}
