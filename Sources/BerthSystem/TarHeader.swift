/// The header blocks of one tar entry: a POSIX ustar header, preceded by a PAX extended
/// header when a field does not fit ustar (a long name or link target, a size of 8 GiB or more).
///
/// Owner, group and modification time are always zero so that the same content always gives
/// the same bytes; Docker's CLI sends build contexts as root:root as well.
struct TarHeader: Equatable {
    enum Kind: Equatable {
        case regular
        case directory
        case symlink
    }

    /// The entry's name inside the archive, without a trailing slash (added for directories).
    var path: String
    var kind: Kind
    /// Permission bits, including set-user-ID, set-group-ID and sticky.
    var mode: UInt32
    /// The content size; zero for directories and symbolic links.
    var size: UInt64 = 0
    /// The target of a symbolic link.
    var linkTarget: String = ""

    static let blockSize = 512
    /// ustar field widths that limit what fits without a PAX record.
    static let nameWidth = 100
    static let prefixWidth = 155
    /// The largest size the 12-byte octal field holds: eleven octal digits.
    static let maximumUstarSize: UInt64 = 0o777_7777_7777

    /// The bytes to write before the content: whole 512-byte blocks.
    func encoded() -> [UInt8] {
        var name = Array(path.utf8)
        if kind == .directory && name.last != UInt8(ascii: "/") { name.append(UInt8(ascii: "/")) }
        let link = Array(linkTarget.utf8)

        var records: [UInt8] = []
        var nameField = name
        var prefixField: [UInt8] = []
        if name.count > Self.nameWidth {
            if let split = Self.ustarSplit(name) {
                prefixField = Array(name[..<split])
                nameField = Array(name[(split + 1)...])
            } else {
                records += Self.paxRecord("path", name)
                nameField = Self.truncated(name, to: Self.nameWidth)
            }
        }
        var linkField = link
        if link.count > Self.nameWidth {
            records += Self.paxRecord("linkpath", link)
            linkField = Self.truncated(link, to: Self.nameWidth)
        }
        var sizeField = size
        if size > Self.maximumUstarSize {
            records += Self.paxRecord("size", Array(String(size).utf8))
            sizeField = 0
        }

        var result: [UInt8] = []
        if !records.isEmpty {
            // The extended header's own name only matters to readers that do not know PAX;
            // keeping the entry's last component there tells a person what it belongs to.
            let base = Array(FileSystem.lastComponent(of: path).utf8)
            let paxName = Self.truncated(Array("PaxHeader/".utf8) + base, to: Self.nameWidth)
            result += Self.block(name: paxName, mode: 0o644, size: UInt64(records.count), typeflag: UInt8(ascii: "x"))
            result += records
            result += [UInt8](repeating: 0, count: Self.padding(for: UInt64(records.count)))
        }
        let typeflag: UInt8
        switch kind {
        case .regular: typeflag = UInt8(ascii: "0")
        case .directory: typeflag = UInt8(ascii: "5")
        case .symlink: typeflag = UInt8(ascii: "2")
        }
        result += Self.block(
            name: nameField, mode: mode & 0o7777, size: sizeField, typeflag: typeflag,
            linkName: linkField, prefix: prefixField
        )
        return result
    }

    /// The zero bytes that complete the last content block of `size` bytes.
    static func padding(for size: UInt64) -> Int {
        let remainder = Int(size % UInt64(blockSize))
        return remainder == 0 ? 0 : blockSize - remainder
    }

    /// Where to cut a long name into the ustar prefix and name fields: the index of a '/'
    /// with at most 155 bytes before it and 1 to 100 after it, or nil when none exists.
    /// Taking the last '/' that keeps the prefix short enough leaves the shortest name part.
    static func ustarSplit(_ name: [UInt8]) -> Int? {
        let searchEnd = min(name.count, prefixWidth + 1)
        guard let slash = name[..<searchEnd].lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let rest = name.count - slash - 1
        guard slash > 0, rest > 0, rest <= nameWidth else { return nil }
        return slash
    }

    /// One PAX record, `LENGTH key=value\n`, where LENGTH counts the whole record including
    /// its own digits.
    static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let body = 1 + key.utf8.count + 1 + value.count + 1 // " key=value\n"
        var length = body + String(body).count
        // Adding the digits can itself add a digit (98 + 2 = 100).
        if String(length).count + body != length { length = body + String(length).count }
        return Array("\(length) \(key)=".utf8) + value + [UInt8(ascii: "\n")]
    }

    /// The first bytes of `bytes` that fit `width`, cut before a UTF-8 continuation byte so
    /// the stand-in name stays valid text.
    static func truncated(_ bytes: [UInt8], to width: Int) -> [UInt8] {
        guard bytes.count > width else { return bytes }
        var end = width
        while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(bytes[..<end])
    }

    /// A 512-byte ustar header with its checksum.
    static func block(
        name: [UInt8], mode: UInt32, size: UInt64, typeflag: UInt8,
        linkName: [UInt8] = [], prefix: [UInt8] = []
    ) -> [UInt8] {
        var header = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            header.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        }
        put(name, at: 0)
        put(octal(UInt64(mode), width: 8), at: 100)
        put(octal(0, width: 8), at: 108) // uid
        put(octal(0, width: 8), at: 116) // gid
        put(octal(size, width: 12), at: 124)
        put(octal(0, width: 12), at: 136) // mtime
        put([UInt8](repeating: UInt8(ascii: " "), count: 8), at: 148) // checksum, summed as spaces
        header[156] = typeflag
        put(linkName, at: 157)
        put(Array("ustar".utf8) + [0], at: 257)
        put(Array("00".utf8), at: 263)
        put(octal(0, width: 8), at: 329) // devmajor
        put(octal(0, width: 8), at: 337) // devminor
        put(prefix, at: 345)
        let checksum = header.reduce(0) { $0 + UInt64($1) }
        // Six digits, NUL, space: the form GNU tar writes and every reader accepts.
        put(octal(checksum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return header
    }

    /// `value` as zero-padded octal digits followed by a NUL, `width` bytes in all.
    static func octal(_ value: UInt64, width: Int) -> [UInt8] {
        let digits = Array(String(value, radix: 8).utf8)
        precondition(digits.count < width, "tar field of \(width) bytes cannot hold \(value)")
        return [UInt8](repeating: UInt8(ascii: "0"), count: width - 1 - digits.count) + digits + [0]
    }
}
