import BerthModel
import BerthSystem
import FoundationEssentials

/// "100ms", "1.5s", "5m", "1h"; a bare number is seconds (as `timeout` and `sleep` read it).
enum Durations {
    static func parse(_ text: String, option: String) throws -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(text)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            scale = factor
            break
        }
        guard let value = Double(number), value >= 0, value.isFinite, value * scale <= 86_400 * 7 else {
            throw BerthError(.usage, "--\(option) takes a duration like 100ms, 2s or 5m, got \"\(text)\"")
        }
        return .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    /// How long an action took, as its line in apply's output ends: "0.4s", "12.0s", "2m05s".
    static func short(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        if seconds < 60 { return String(cFormat: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        return "\(whole / 60)m" + String(cFormat: "%02ds", whole % 60)
    }
}
