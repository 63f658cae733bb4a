@testable import BerthSystem

/// Kernel-shaped inotify buffers for `InotifyEvent.parse`, made here rather than in the product.
extension InotifyEvent {
    /// Encodes records the way the kernel lays them out, padding each name with NULs to a
    /// multiple of the header's alignment.
    static func encode(_ events: [InotifyEvent]) -> [UInt8] {
        var bytes: [UInt8] = []
        for event in events {
            let name = Array(event.name.utf8)
            // The kernel always adds at least one NUL when there is a name, then pads.
            let length = name.isEmpty ? 0 : (name.count + 1 + 15) / 16 * 16
            withUnsafeBytes(of: event.wd.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: event.mask.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: event.cookie.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: UInt32(length).littleEndian) { bytes += $0 }
            bytes += name
            bytes += [UInt8](repeating: 0, count: length - name.count)
        }
        return bytes
    }
}
