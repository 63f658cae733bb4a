/// One mapping of a process as /proc/PID/smaps describes it: its range, permissions, what
/// backs it, and the page counts that decide whether its pages may be given back.
public struct SmapsMapping: Sendable, Equatable {
    public var start: UInt
    public var end: UInt
    /// "r-xp", "rw-p", "r--s"…
    public var permissions: String
    /// The file's path, "[heap]", "[stack]", "[vdso]"…; empty for anonymous memory.
    public var path: String
    /// Sizes in bytes (smaps says kB).
    public var rss = 0
    public var privateDirty = 0
    public var anonymous = 0
    public var swap = 0
    /// `VmFlags` includes "lo": the pages are locked (mlock), madvise would refuse them.
    public var locked = false

    public init(start: UInt, end: UInt, permissions: String, path: String) {
        self.start = start; self.end = end; self.permissions = permissions; self.path = path
    }

    public var length: Int { Int(end - start) }

    /// Whether MADV_DONTNEED may drop this mapping's pages and lose nothing: a private,
    /// read-only mapping of a file (code, constants) in which no page is the process's own.
    /// Every page it holds is then a copy of the file in the page cache, and touching it
    /// again maps it back. A page written once (relocations, RELRO before it was made
    /// read-only) is anonymous: dropping it would hand back the file's unrelocated bytes, so
    /// any such page rules the whole mapping out.
    public var mayDrop: Bool {
        let flags = Array(permissions.utf8)
        guard flags.count == 4, flags[0] == UInt8(ascii: "r"), flags[1] == UInt8(ascii: "-"),
              flags[3] == UInt8(ascii: "p") else { return false }
        // A file: not [heap], [vdso], [vvar], nor a file since deleted (nothing to read back from
        // by name, and the kernel's refault would still work, but it is not worth the doubt).
        guard path.hasPrefix("/"), !path.hasSuffix(" (deleted)") else { return false }
        return rss > 0 && privateDirty == 0 && anonymous == 0 && swap == 0 && !locked
    }

    /// Every mapping in the text of an smaps file, in order. Lines it does not know are
    /// skipped (kernels add fields); a header it cannot read ends nothing, it is skipped too.
    public static func parse(_ text: String) -> [SmapsMapping] {
        var mappings: [SmapsMapping] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let header = header(line) {
                mappings.append(header)
                continue
            }
            guard !mappings.isEmpty, let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon]
            let value = line[line.index(after: colon)...]
            switch name {
            case "Rss": mappings[mappings.count - 1].rss = kilobytes(value)
            case "Private_Dirty": mappings[mappings.count - 1].privateDirty = kilobytes(value)
            case "Anonymous": mappings[mappings.count - 1].anonymous = kilobytes(value)
            case "Swap": mappings[mappings.count - 1].swap = kilobytes(value)
            case "VmFlags": mappings[mappings.count - 1].locked = value.split(separator: " ").contains("lo")
            default: break
            }
        }
        return mappings
    }

    /// "7f1c2a000000-7f1c2a021000 r-xp 00000000 08:01 1234   /usr/lib/x.so": the path is the
    /// rest of the line after the fifth field and may hold spaces.
    static func header(_ line: Substring) -> SmapsMapping? {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5, fields[1].utf8.count == 4,
              let dash = fields[0].firstIndex(of: "-"),
              let start = UInt(fields[0][..<dash], radix: 16),
              let end = UInt(fields[0][fields[0].index(after: dash)...], radix: 16), end >= start
        else { return nil }
        let path = fields.count > 5 ? String(fields[5].drop(while: { $0 == " " })) : ""
        return SmapsMapping(start: start, end: end, permissions: String(fields[1]), path: path)
    }

    /// "   1234 kB" as bytes; 0 when unreadable.
    static func kilobytes(_ value: Substring) -> Int {
        let number = value.split(separator: " ", omittingEmptySubsequences: true).first.flatMap { Int($0) } ?? 0
        return number * 1024
    }
}
