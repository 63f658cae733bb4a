/// A Kubernetes resource quantity ("500m", "0.5", "1Gi", "1024Mi", "1e3") as an exact value.
///
/// The API server stores quantities in a canonical form of its own: `cpu: "0.5"` reads back as
/// "500m" and `memory: "1024Mi"` as "1Gi". Compared as text, such a field would look drifted
/// on every pass; compared as values, it does not. Parsing follows apimachinery's grammar:
/// a signed decimal number, then a binary suffix (Ki…Ei), a decimal suffix (n, u, m, k, M,
/// G, T, P, E) or an exponent (e3, E-2). Anything else is not a quantity.
struct KubeQuantity: Equatable {
    /// The value is `digits × 10^exponent`, with `digits` (most significant first) free of
    /// leading and trailing zeros; zero has no digits, exponent 0 and is not negative.
    let negative: Bool
    let digits: [UInt8]
    let exponent: Int

    /// Longer texts are not quantities: the server refuses them too, and a bound keeps an
    /// exponent like "1e999999999" from costing anything.
    static let maxLength = 64

    private static let decimalSuffixes: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]
    private static let binarySuffixes: [String: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]

    init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxLength else { return nil }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") { negative = bytes[0] == UInt8(ascii: "-"); index = 1 }
        var digits: [UInt8] = []
        var fraction = 0
        var seenDigit = false, seenPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte - UInt8(ascii: "0")); seenDigit = true
                if seenPoint { fraction += 1 }
            } else if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        guard seenDigit else { return nil }
        let suffix = String(decoding: bytes[index...], as: UTF8.self)
        var exponent = -fraction
        if let power = Self.decimalSuffixes[suffix] {
            exponent += power
        } else if let power = Self.binarySuffixes[suffix] {
            for _ in 0..<(10 * power) { digits = Self.doubled(digits) }
        } else if let first = suffix.first, first == "e" || first == "E", let power = Int(suffix.dropFirst()),
                  abs(power) < 1_000_000 {
            exponent += power
        } else {
            return nil
        }
        self.init(negative: negative, digits: digits, exponent: exponent)
    }

    private init(negative: Bool, digits: [UInt8], exponent: Int) {
        var digits = digits[...]
        while digits.first == 0 { digits = digits.dropFirst() }
        var exponent = exponent
        while digits.last == 0 { digits = digits.dropLast(); exponent += 1 }
        self.negative = negative && !digits.isEmpty
        self.digits = Array(digits)
        self.exponent = digits.isEmpty ? 0 : exponent
    }

    /// `digits × 2`, in decimal digits: binary suffixes are powers of 1024 = 2^10.
    private static func doubled(_ digits: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digits.count + 1)
        var carry: UInt8 = 0
        for (offset, digit) in digits.reversed().enumerated() {
            let value = digit * 2 + carry
            out[out.count - 1 - offset] = value % 10
            carry = value / 10
        }
        out[0] = carry
        return out
    }

    /// True when both texts are quantities of the same value ("0.5" and "500m").
    static func sameValue(_ a: String, _ b: String) -> Bool {
        guard let left = KubeQuantity(a), let right = KubeQuantity(b) else { return false }
        return left == right
    }
}
