#if canImport(Glibc)
import Glibc
#endif

/// The system call through which the journal's bytes reach its file: write(2).
///
/// It is passed in, not fixed, so a test can make the disk fail part-way through a record (a
/// short write, then EIO) from outside the journal, the way the fault proxy fails the engine.
/// The write path itself has no test branch.
public struct JournalWrite: Sendable {
    /// Writes up to `bytes.count` bytes to `fd` and returns how many, or -1 with errno set.
    public let call: @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int

    public init(_ call: @escaping @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int) {
        self.call = call
    }

    /// write(2) itself.
    public static let system = JournalWrite { fd, bytes in Glibc.write(fd, bytes.baseAddress, bytes.count) }
}
