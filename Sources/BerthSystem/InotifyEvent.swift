#if canImport(Glibc)
import Glibc
#endif

/// One record read from an inotify descriptor, decoded from the kernel's variable-length
/// `struct inotify_event` (wd, mask, cookie, len, then `len` bytes of NUL-padded name).
public struct InotifyEvent: Sendable, Equatable {
    /// The watch descriptor the event belongs to; -1 for `IN_Q_OVERFLOW`.
    public var wd: Int32
    /// The `IN_*` bits that describe what happened.
    public var mask: UInt32
    /// Pairs an `IN_MOVED_FROM` with its `IN_MOVED_TO`; berth does not need the pairing
    /// because both halves are reported on their own, but it is kept for debugging.
    public var cookie: UInt32
    /// The entry inside the watched directory, empty for events on the directory itself.
    public var name: String

    public init(wd: Int32, mask: UInt32, cookie: UInt32 = 0, name: String = "") {
        self.wd = wd
        self.mask = mask
        self.cookie = cookie
        self.name = name
    }

    /// Whether any of `bits` is set in the mask.
    public func has(_ bits: UInt32) -> Bool { mask & bits != 0 }

    /// Whether the entry the event names is a directory.
    public var isDirectory: Bool { has(Mask.isDirectory) }

    /// The size of the fixed part of a record; the name follows it.
    public static let headerSize = MemoryLayout<inotify_event>.size

    /// Decodes every complete record in `bytes`. The kernel only returns whole records from
    /// read(2), so a trailing fragment means a malformed buffer and is dropped rather than
    /// read past the end.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> [InotifyEvent] {
        var events: [InotifyEvent] = []
        var offset = 0
        while offset + headerSize <= bytes.count {
            // loadUnaligned: the buffer is only byte-aligned when it comes from a [UInt8].
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            guard nameStart + length <= bytes.count else { break }
            // The name is padded with NULs to an aligned length; the padding is not part of it.
            var nameEnd = nameStart
            while nameEnd < nameStart + length && bytes[nameEnd] != 0 { nameEnd += 1 }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[nameStart..<nameEnd]), as: UTF8.self)
            events.append(InotifyEvent(wd: wd, mask: mask, cookie: cookie, name: name))
            offset = nameStart + length
        }
        return events
    }

    /// The `IN_*` constants as `UInt32`, the type of the mask; Glibc imports them as `Int32`.
    public enum Mask {
        public static let create = UInt32(IN_CREATE)
        public static let closeWrite = UInt32(IN_CLOSE_WRITE)
        public static let movedFrom = UInt32(IN_MOVED_FROM)
        public static let movedTo = UInt32(IN_MOVED_TO)
        public static let delete = UInt32(IN_DELETE)
        public static let deleteSelf = UInt32(IN_DELETE_SELF)
        public static let moveSelf = UInt32(IN_MOVE_SELF)
        public static let attrib = UInt32(IN_ATTRIB)
        public static let unmount = UInt32(IN_UNMOUNT)
        public static let overflow = UInt32(IN_Q_OVERFLOW)
        public static let ignored = UInt32(IN_IGNORED)
        public static let isDirectory = UInt32(IN_ISDIR)
        public static let onlyDirectory = UInt32(IN_ONLYDIR)
        public static let dontFollow = UInt32(IN_DONT_FOLLOW)

        /// What every watched directory listens for. IN_MODIFY is left out on purpose: a
        /// spec is only worth reading once the writer closes it (IN_CLOSE_WRITE).
        public static let directory = create | closeWrite | movedFrom | movedTo | delete
            | deleteSelf | moveSelf | attrib
    }
}
