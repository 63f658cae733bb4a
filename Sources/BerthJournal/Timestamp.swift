#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials

/// RFC 3339 timestamps for journal records.
///
/// Formatted by hand with `gmtime_r` rather than with `ISO8601DateFormatter`: the output must
/// be exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` on every platform, and a formatter shared between
/// concurrent appends would need its own locking.
public enum Timestamp {
    /// `2026-11-24T03:35:04.123Z` for the given instant, truncated (not rounded) to the
    /// millisecond so a time never appears to be later than the clock said.
    public static func rfc3339(_ date: Date) -> String {
        let totalMilliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        // Floor division keeps instants before 1970 on the right second.
        var seconds = totalMilliseconds / 1000
        var milliseconds = totalMilliseconds % 1000
        if milliseconds < 0 {
            milliseconds += 1000
            seconds -= 1
        }
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else {
            return "1970-01-01T00:00:00.000Z"
        }
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-"
            + pad(Int(parts.tm_mday), 2) + "T" + pad(Int(parts.tm_hour), 2) + ":"
            + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2) + "."
            + pad(Int(milliseconds), 3) + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
