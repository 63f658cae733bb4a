import Glibc

/// Tells a `docker save` archive (an image: manifest.json, or an OCI layout's index.json and
/// oci-layout) from a root file system tarball, by reading the tar headers only. Importing a
/// saved image as a file system "works" and then fails at start, so berth refuses it.
public enum SavedImageArchive {
    static let markers: Set<String> = ["manifest.json", "index.json", "oci-layout"]

    /// The marker file found at the archive's top level, or nil. Unreadable or compressed
    /// files are nil: the engine's import judges those.
    public static func marker(in path: String, maxEntries: Int = 100_000) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var offset: UInt64 = 0
        for _ in 0..<maxEntries {
            var bytes = [UInt8](repeating: 0, count: 512)
            guard offset <= UInt64(Int64.max), pread(fd, &bytes, 512, off_t(offset)) == 512 else { return nil }
            if bytes.allSatisfy({ $0 == 0 }) { return nil }
            // A ustar magic at 257 tells a tar header from anything else (a gzip stream).
            guard String(decoding: bytes[257..<262], as: UTF8.self) == "ustar" else { return nil }
            let name = field(bytes[0..<100]), prefix = field(bytes[345..<500])
            var full = prefix.isEmpty ? name : prefix + "/" + name
            while full.hasPrefix("./") { full.removeFirst(2) }
            if markers.contains(full) { return full }
            let sizeText = field(bytes[124..<136]).trimmingWhitespace()
            guard let size = UInt64(sizeText.isEmpty ? "0" : sizeText, radix: 8) else { return nil }
            offset += 512 + (size + 511) / 512 * 512
        }
        return nil
    }

    private static func field(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
