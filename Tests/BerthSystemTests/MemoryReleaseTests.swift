import BerthSystem
import Foundation
import Glibc
import Testing

/// What an idle watch gives back: which mappings of /proc/self/smaps may have their pages
/// dropped (only copies of a file, never a page the process wrote), and that the process
/// carries on, code and constants paged back in, after they were.
@Suite(.timeLimit(.minutes(4)))
struct MemoryReleaseTests {
    /// Trimmed from a real smaps of the static release file under watch, one mapping of each
    /// kind that matters.
    static let fixture = """
    55d0c0000000-55d0c0400000 r--p 00000000 08:01 131 /usr/local/bin/berth
    Size:               4096 kB
    Rss:                1200 kB
    Pss:                1200 kB
    Shared_Clean:          0 kB
    Shared_Dirty:          0 kB
    Private_Clean:      1200 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    Swap:                  0 kB
    Locked:                0 kB
    VmFlags: rd mr mw me dw sd
    55d0c0400000-55d0c0e00000 r-xp 00400000 08:01 131 /usr/local/bin/berth
    Size:              10240 kB
    Rss:                6400 kB
    Private_Clean:      6400 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    Swap:                  0 kB
    VmFlags: rd ex mr mw me dw sd
    55d0c0e00000-55d0c0f00000 r--p 00e00000 08:01 131 /usr/local/bin/berth
    Size:               1024 kB
    Rss:                1024 kB
    Private_Clean:       200 kB
    Private_Dirty:       824 kB
    Anonymous:           824 kB
    Swap:                  0 kB
    VmFlags: rd mr mw me dw ac sd
    55d0c0f00000-55d0c0f10000 rw-p 00f00000 08:01 131 /usr/local/bin/berth
    Size:                 64 kB
    Rss:                  64 kB
    Private_Dirty:        64 kB
    Anonymous:            64 kB
    VmFlags: rd wr mr mw me ac sd
    55d0c2000000-55d0c2100000 rw-p 00000000 00:00 0 [heap]
    Size:               1024 kB
    Rss:                 900 kB
    Private_Dirty:       900 kB
    Anonymous:           900 kB
    VmFlags: rd wr mr mw me ac sd
    7f00a0000000-7f00a0010000 r--p 00000000 08:01 900 /usr/lib/x86_64-linux-gnu/libssl.so.3
    Size:                 64 kB
    Rss:                  64 kB
    Shared_Clean:         64 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    Swap:                  0 kB
    VmFlags: rd mr mw me sd
    7f00a1000000-7f00a1001000 r--p 00000000 08:01 901 /var/lib/berth/My Specs/old map (deleted)
    Rss:                   4 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    VmFlags: rd mr mw me sd
    7f00a2000000-7f00a2100000 r--s 00000000 08:01 902 /var/lib/berth/journal
    Rss:                 100 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    VmFlags: rd sh mr mw me ms sd
    7f00a3000000-7f00a3010000 r-xp 00000000 08:01 903 /usr/lib/x86_64-linux-gnu/libc.so.6
    Rss:                  60 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    Swap:                  8 kB
    VmFlags: rd ex mr mw me sd
    7f00a4000000-7f00a4010000 r-xp 00000000 08:01 904 /usr/lib/x86_64-linux-gnu/libz.so.1
    Rss:                  60 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    VmFlags: rd ex mr mw me lo sd
    7f00a5000000-7f00a5010000 r--p 00000000 08:01 905 /usr/lib/locale/C.utf8/LC_CTYPE
    Rss:                   0 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    VmFlags: rd mr mw me sd
    7ffd10000000-7ffd10002000 r-xp 00000000 00:00 0 [vdso]
    Rss:                   8 kB
    Private_Dirty:         0 kB
    Anonymous:             0 kB
    VmFlags: rd ex mr mw me de sd
    """

    @Test func readsEveryMappingWithItsRangeAndPath() {
        let mappings = SmapsMapping.parse(Self.fixture)
        #expect(mappings.count == 12)
        let code = mappings[1]
        #expect(code.start == 0x55d0c0400000 && code.end == 0x55d0c0e00000 && code.length == 10 << 20)
        #expect(code.permissions == "r-xp" && code.path == "/usr/local/bin/berth")
        #expect(code.rss == 6400 * 1024 && code.privateDirty == 0 && code.anonymous == 0)
        #expect(mappings[6].path == "/var/lib/berth/My Specs/old map (deleted)", "a path keeps its spaces")
        #expect(mappings[4].path == "[heap]" && mappings[4].anonymous == 900 * 1024)
        #expect(mappings[9].locked && !mappings[1].locked)
    }

    /// Only code and constants that are copies of their file: berth's own and a library's.
    /// Not relocated constants (anonymous pages), data, the heap, a shared mapping, a deleted
    /// file, a mapping with swapped pages, locked pages, nothing resident, the vdso.
    @Test func dropsOnlyPrivateReadOnlyFilePagesThatAreCopiesOfTheFile() {
        let dropped = SmapsMapping.parse(Self.fixture).filter(\.mayDrop).map { "\($0.permissions) \($0.path)" }
        #expect(dropped == [
            "r--p /usr/local/bin/berth",
            "r-xp /usr/local/bin/berth",
            "r--p /usr/lib/x86_64-linux-gnu/libssl.so.3",
        ])
    }

    @Test func skipsLinesItDoesNotKnow() {
        let text = "garbage\nRss: 4 kB\n" + Self.fixture.split(separator: "\n").prefix(12).joined(separator: "\n")
            + "\nSomeNewField:   3 kB\nnot a header line at all\n"
        let mappings = SmapsMapping.parse(text)
        #expect(mappings.count == 1 && mappings[0].rss == 1200 * 1024 && mappings[0].mayDrop)
    }

    /// The release in this very process: its code and the libraries' are dropped while this
    /// test and others run, and everything goes on working, the pages mapped back in from the
    /// page cache when touched.
    @Test func theProcessRunsOnAfterItsCodeIsDropped() throws {
        let before = SmapsMapping.parse(try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8))
        let droppable = before.filter(\.mayDrop)
        // The test bundle is one statically linked file. In the full unit run its code pages
        // have been seen privately dirty (written in this shared process, cause not found):
        // then they hold the only copy of what was written and must never be dropped.
        let dirtyCode = before.filter { $0.permissions.contains("x") && $0.privateDirty > 0 }
        let dirtyDroppable = dirtyCode.filter(\.mayDrop)
        #expect(dirtyDroppable.isEmpty)
        if dirtyCode.isEmpty {
            #expect(droppable.contains { $0.permissions.contains("x") }, "some code is resident and may go")
        }
        let summary = MemoryRelease.release()
        let after = SmapsMapping.parse(try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8))
        let residentBefore = droppable.reduce(0) { $0 + $1.rss }
        let residentAfter = after.filter { mapping in droppable.contains { $0.start == mapping.start } }.reduce(0) { $0 + $1.rss }
        if !droppable.isEmpty {
            #expect(summary.mappings > 0 && summary.bytes > 0, "\(summary)")
            #expect(residentAfter < residentBefore, "dropped \(residentBefore) bytes, now \(residentAfter)")
        }
        // A privately written page is still there, with what was written.
        for mapping in dirtyCode {
            let kept = after.contains { $0.start == mapping.start && $0.privateDirty >= mapping.privateDirty }
            #expect(kept, "\(mapping.path)")
        }

        // Code of this binary, the standard library, Foundation and libc, constants included.
        let words = (1...2000).map { "word\($0)" }
        // word1…word9, word10…word99, word100…word999, word1000…word2000, and 1999 commas.
        let expectedLength: Int = 45 + 540 + 6300 + 8008 + 1999
        #expect(words.joined(separator: ",").count == expectedLength)
        let json = try JSONSerialization.data(withJSONObject: ["n": 42, "list": [1, 2, 3]], options: [.sortedKeys])
        #expect(String(decoding: json, as: UTF8.self) == #"{"list":[1,2,3],"n":42}"#)
        #expect(Set(words).count == 2000 && words.sorted().first == "word1")
        #expect(strlen("still here") == 10)
        // And again: a second release over pages just mapped back in.
        #expect(droppable.isEmpty || MemoryRelease.release().mappings > 0)
        #expect(Dictionary(grouping: words, by: \.count).keys.sorted() == [5, 6, 7, 8])
    }

    @Test func oneArenaIsTaken() {
        #expect(MemoryRelease.useOneArena(), "glibc's mallopt(M_ARENA_MAX, 1) answered 1")
    }
}
