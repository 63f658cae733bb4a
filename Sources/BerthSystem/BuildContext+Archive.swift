extension BuildContext {
    /// Writes the context as the tar stream `POST /build` expects, entries in order, file
    /// content streamed from disk.
    /// - Throws: `SystemError` naming a file that cannot be read or changed size since the
    ///   scan (the stream is then incomplete and must not be used); whatever `sink` throws.
    public func writeArchive(to sink: @escaping TarWriter.Sink) throws {
        var writer = TarWriter(sink: sink)
        for entry in entries {
            switch entry.kind {
            case .directory:
                try writer.addDirectory(entry.path, mode: entry.mode)
            case .symlink(let target):
                try writer.addSymlink(entry.path, target: target, mode: entry.mode)
            case .file(let size):
                try writer.addFile(entry.path, mode: entry.mode, contentsOf: diskPath(of: entry.path), expectedSize: size)
            }
        }
        try writer.finish()
    }

    /// The exact length of the stream `writeArchive` produces while no file changes, so the
    /// request can carry a Content-Length instead of chunked encoding.
    public var archiveSize: UInt64 {
        var total = TarWriter.trailerSize
        for entry in entries {
            switch entry.kind {
            case .directory:
                total += UInt64(TarHeader(path: entry.path, kind: .directory, mode: entry.mode).encoded().count)
            case .symlink(let target):
                let header = TarHeader(path: entry.path, kind: .symlink, mode: entry.mode, linkTarget: target)
                total += UInt64(header.encoded().count)
            case .file(let size):
                let header = TarHeader(path: entry.path, kind: .regular, mode: entry.mode, size: size)
                total += UInt64(header.encoded().count) + size + UInt64(TarHeader.padding(for: size))
            }
        }
        return total
    }
}
