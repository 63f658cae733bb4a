import Foundation

/// How kube-apiserver writes a resource quantity back (apimachinery's `CanonicalizeBytes`),
/// so a client that compares quantities as text sees what a real cluster shows it:
/// "0.5" -> "500m", "1000m" -> "1", "1500" stays, "1024Mi" -> "1Gi", "1536Mi" stays.
///
/// - A binary suffix (Ki…Ei) stays binary, with the largest unit that divides the value,
///   unless the value is below 1024 or not whole: then it is written as a decimal.
/// - Decimal suffixes and exponents use the largest power of 1000 that leaves a whole
///   mantissa, no finer than nano; finer values are rounded up to nano.
/// Written independently of berth's own quantity code, so one cannot hide the other's bug.
enum KubeCanonicalQuantity {
    private static let decimal: [(String, Int)] = [("n", -9), ("u", -6), ("m", -3), ("k", 3), ("M", 6), ("G", 9), ("T", 12), ("P", 15), ("E", 18)]
    private static let binary: [(String, Int)] = [("Ki", 1), ("Mi", 2), ("Gi", 3), ("Ti", 4), ("Pi", 5), ("Ei", 6)]

    private enum Format { case binary, decimal, exponent }

    /// The canonical text, or nil when `text` is not a quantity (the real server refuses it).
    static func canonical(_ text: String) -> String? {
        guard let (number, suffix) = split(text), var value = Decimal(string: number, locale: Locale(identifier: "en_US_POSIX")) else {
            return nil
        }
        var format = Format.decimal
        if let (_, power) = binary.first(where: { $0.0 == suffix }) {
            value *= pow(Decimal(1024), power)
            format = .binary
        } else if let (_, power) = decimal.first(where: { $0.0 == suffix }) {
            value *= pow(Decimal(10), power)
        } else if suffix.isEmpty {
        } else if let first = suffix.first, first == "e" || first == "E", let power = Int(suffix.dropFirst()) {
            value *= power >= 0 ? pow(Decimal(10), power) : 1 / pow(Decimal(10), -power)
            format = .exponent
        } else {
            return nil
        }
        let negative = value < 0
        if negative { value = -value }
        if format == .binary && (value < 1024 || !isWhole(value)) { format = .decimal }
        let sign = negative ? "-" : ""
        if format == .binary {
            for (name, power) in binary.reversed() {
                let unit = pow(Decimal(1024), power)
                if isWhole(value / unit) { return sign + "\(value / unit)" + name }
            }
            return sign + "\(value)"
        }
        var mantissa = rounded(value * pow(Decimal(10), 9), .up)
        var exponent = -9
        while mantissa != 0, exponent < 18, isWhole(mantissa / 1000) { mantissa /= 1000; exponent += 3 }
        if mantissa == 0 { return "0" }
        if format == .exponent { return sign + "\(mantissa)" + (exponent == 0 ? "" : "e\(exponent)") }
        return sign + "\(mantissa)" + (decimal.first { $0.1 == exponent }?.0 ?? "")
    }

    /// "1.5Gi" -> ("1.5", "Gi"): the signed number, then whatever follows it.
    private static func split(_ text: String) -> (String, String)? {
        let numberEnd = text.firstIndex { !("0123456789.+-".contains($0)) } ?? text.endIndex
        let number = String(text[..<numberEnd])
        let body = number.hasPrefix("+") || number.hasPrefix("-") ? number.dropFirst() : Substring(number)
        guard body.contains(where: \.isNumber), !body.contains("+"), !body.contains("-"),
              body.filter({ $0 == "." }).count <= 1 else { return nil }
        return (body.hasPrefix(".") ? number.replacingOccurrences(of: ".", with: "0.") : number, String(text[numberEnd...]))
    }

    private static func isWhole(_ value: Decimal) -> Bool { rounded(value, .down) == value }

    private static func rounded(_ value: Decimal, _ mode: NSDecimalNumber.RoundingMode) -> Decimal {
        var input = value, output = Decimal()
        NSDecimalRound(&output, &input, 0, mode)
        return output
    }
}
