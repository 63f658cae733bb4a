/// Writes a POSIX tar archive (ustar, with PAX extended headers where ustar falls short) to a
/// byte sink, one entry at a time. This is the format Docker's `POST /build` reads.
///
/// Every entry has owner 0:0 and modification time 0, so the same entries with the same
/// content always give the same bytes. Names longer than 100 bytes go into the ustar prefix
/// field when they can be split at a '/', otherwise into a PAX `path` record; long link
/// targets get a PAX `linkpath` record and sizes of 8 GiB or more a PAX `size` record.
///
/// File content is streamed from disk in chunks. The writer is not thread-safe; use it from
/// one task.
public struct TarWriter {
    /// Receives the archive's bytes in order. A throw aborts the entry being written.
    public typealias Sink = (ArraySlice<UInt8>) throws -> Void

    private let sink: Sink
    /// The bytes handed to the sink so far.
    public private(set) var bytesWritten: UInt64 = 0
    private var finished = false

    /// Creates a writer that sends every byte of the archive to `sink`.
    public init(sink: @escaping Sink) {
        self.sink = sink
    }

    /// Adds a directory. `path` is relative to the archive root, '/'-separated; a trailing
    /// slash is added when missing.
    public mutating func addDirectory(_ path: String, mode: UInt32 = 0o755) throws {
        try writeHeader(TarHeader(path: path, kind: .directory, mode: mode))
    }

    /// Adds a symbolic link to `target`, stored as given (it may point anywhere).
    public mutating func addSymlink(_ path: String, target: String, mode: UInt32 = 0o777) throws {
        try writeHeader(TarHeader(path: path, kind: .symlink, mode: mode, linkTarget: target))
    }

    /// Adds a regular file whose content is already in memory.
    public mutating func addFile(_ path: String, mode: UInt32 = 0o644, bytes: [UInt8]) throws {
        try writeHeader(TarHeader(path: path, kind: .regular, mode: mode, size: UInt64(bytes.count)))
        try emit(bytes[...])
        try pad(after: UInt64(bytes.count))
    }

    /// Adds a regular file streamed from `source` on disk.
    ///
    /// - Parameter expectedSize: when given, a file of any other size is an error before
    ///   anything is written; lets a caller that announced the archive's length keep it.
    /// - Throws: `SystemError` naming `source` when it cannot be opened or read, is not a
    ///   regular file, or changes size while being read (the archive is then incomplete).
    public mutating func addFile(
        _ path: String, mode: UInt32 = 0o644, contentsOf source: String, expectedSize: UInt64? = nil
    ) throws {
        let reader = try FileChunkReader(path: source)
        if let expectedSize, expectedSize != reader.size { throw FileChunkReader.changed(source) }
        try writeHeader(TarHeader(path: path, kind: .regular, mode: mode, size: reader.size))
        try reader.forEachChunk { chunk in try emit(chunk) }
        try pad(after: reader.size)
    }

    /// Ends the archive with two zero blocks. Adding entries afterwards is a programming error.
    public mutating func finish() throws {
        precondition(!finished, "TarWriter.finish called twice")
        finished = true
        try emit([UInt8](repeating: 0, count: 2 * TarHeader.blockSize)[...])
    }

    /// The exact number of bytes `finish()` adds, for computing an archive's length ahead.
    static let trailerSize = UInt64(2 * TarHeader.blockSize)

    private mutating func writeHeader(_ header: TarHeader) throws {
        precondition(!finished, "TarWriter: entry added after finish")
        try emit(header.encoded()[...])
    }

    private mutating func pad(after size: UInt64) throws {
        let count = TarHeader.padding(for: size)
        if count > 0 { try emit([UInt8](repeating: 0, count: count)[...]) }
    }

    private mutating func emit(_ bytes: ArraySlice<UInt8>) throws {
        try sink(bytes)
        bytesWritten += UInt64(bytes.count)
    }
}
