import BerthModel
import BerthSystem
import FoundationEssentials

/// "100ms", "1.5s", "5m", "1h"; a bare number is seconds (as `timeout` and `sleep` read it).
enum Durations {
    static func parse(_ text: String, option: String) throws -> Duration {
        // One reading of durations for options and specs alike (`health` in a spec).
        guard let nanoseconds = DurationText.nanoseconds(text) else {
            throw BerthError(.usage, "--\(option) takes a duration like 100ms, 2s or 5m, got \"\(text)\"")
        }
        return .nanoseconds(nanoseconds)
    }

    /// How long an action took, as its line in apply's output ends: "0.4s", "12.0s", "2m05s".
    static func short(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds < 60 { return String(cFormat: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        return "\(whole / 60)m" + String(cFormat: "%02ds", whole % 60)
    }
}
