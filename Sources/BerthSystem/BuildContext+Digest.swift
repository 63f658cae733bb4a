extension BuildContext {
    /// A digest that changes exactly when what the engine would receive changes: each
    /// entry's path, type, permission bits, link target and file content, in order.
    /// Modification times, owners and ignored files do not count.
    ///
    /// `hash` is any collision-resistant function from bytes to text (berth passes
    /// `SHA256.hex`); it is called once per `digestChunkSize` of file content and once more
    /// over `digestInput`, so memory stays bounded however large the files are.
    /// - Throws: `SystemError` naming a file that cannot be read or changed size since the scan.
    /// `cache` skips reading files whose identity (inode, size, times) is unchanged since
    /// they were hashed; the digest is the same either way.
    public func digest(using hash: ([UInt8]) throws -> String, cache: FileDigestCache? = nil) throws -> String {
        try hash(digestInput(hashingChunksWith: hash, cache: cache))
    }

    /// The canonical text the digest is taken over: a version line, then one line per entry,
    /// every variable field length-prefixed (`LENGTH:bytes`) so no name can forge another:
    ///
    ///     berth-build-context 1
    ///     d 0755 3:src
    ///     f 0644 10:Dockerfile 42 64:<hash of the first chunk>
    ///     l 0777 6:latest 2:v2
    public func digestInput(hashingChunksWith hash: ([UInt8]) throws -> String, cache: FileDigestCache? = nil) throws -> [UInt8] {
        var output = Array("berth-build-context 1\n".utf8)
        func field(_ text: String) {
            output += Array(" \(text.utf8.count):".utf8)
            output += Array(text.utf8)
        }
        for entry in entries {
            let octal = String(entry.mode & 0o7777, radix: 8)
            let bits = String(repeating: "0", count: 4 - octal.count) + octal
            switch entry.kind {
            case .directory:
                output += Array("d \(bits)".utf8)
                field(entry.path)
            case .symlink(let target):
                output += Array("l \(bits)".utf8)
                field(entry.path)
                field(target)
            case .file(let size):
                output += Array("f \(bits)".utf8)
                field(entry.path)
                output += Array(" \(size)".utf8)
                let source = diskPath(of: entry.path)
                func read() throws -> [String] {
                    let reader = try FileChunkReader(path: source)
                    guard reader.size == size else { throw FileChunkReader.changed(source) }
                    var chunks: [String] = []
                    try reader.forEachChunk(chunkSize: Self.digestChunkSize) { chunk in chunks.append(try hash(Array(chunk))) }
                    return chunks
                }
                let chunks: [String]
                if let cache {
                    let found = try cache.chunks(of: source, known: identities[entry.path], compute: read)
                    // The walk's size is what the archive sends; a file of another size changed since.
                    guard found.size == size else { throw FileChunkReader.changed(source) }
                    chunks = found.chunks
                } else {
                    chunks = try read()
                }
                for chunk in chunks { field(chunk) }
            }
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }
}
