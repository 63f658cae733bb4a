import BerthJSON

/// Typing of plain scalars by the YAML 1.2 core schema, mapped onto `JSONValue`.
///
/// YAML 1.1's wider rules (`yes`, `on`, sexagesimal numbers) are deliberately not
/// applied: a cluster named `on` or a token that looks like `0755` must stay what it was
/// written as, and kubectl's own reader follows 1.2 here too.
enum YAMLScalar {
    /// The value a plain scalar denotes. Numbers are rewritten into JSON number syntax
    /// (`+1` to `1`, `007` to `7`, `.5` to `0.5`, `0x1F` to `31`) because `JSONValue`
    /// requires it. `.inf` and `.nan` have no JSON form and stay strings, as do hex and
    /// octal integers too large for 64 bits.
    static func resolveKind(_ text: String) -> JSONNode.Kind {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        let bytes = Array(text.utf8)
        if let number = decimalInteger(bytes) ?? radixInteger(bytes) ?? float(bytes) {
            return .number(number)
        }
        return .string(text)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Splits an optional sign off the front: the JSON form keeps only a minus.
    private static func sign(_ bytes: [UInt8]) -> (String, Int) {
        guard let first = bytes.first else { return ("", 0) }
        if first == .dash { return ("-", 1) }
        if first == .plus { return ("", 1) }
        return ("", 0)
    }

    /// Digits without leading zeros (but at least one digit), as JSON wants them.
    private static func trimZeros(_ digits: ArraySlice<UInt8>) -> String {
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        return significant.isEmpty ? "0" : String(decoding: significant, as: UTF8.self)
    }

    /// `[-+]?[0-9]+`
    private static func decimalInteger(_ bytes: [UInt8]) -> String? {
        let (minus, start) = sign(bytes)
        let digits = bytes[start...]
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        return minus + trimZeros(digits)
    }

    /// `0o[0-7]+` and `0x[0-9a-fA-F]+`, converted to decimal.
    private static func radixInteger(_ bytes: [UInt8]) -> String? {
        guard bytes.count > 2, bytes[0] == UInt8(ascii: "0") else { return nil }
        let radix: UInt64
        switch bytes[1] {
        case UInt8(ascii: "o"): radix = 8
        case UInt8(ascii: "x"): radix = 16
        default: return nil
        }
        var value: UInt64 = 0
        for byte in bytes[2...] {
            let digit: UInt64
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard digit < radix else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: radix)
            let (sum, carry) = shifted.addingReportingOverflow(digit)
            if overflow || carry { return nil }
            value = sum
        }
        return String(value)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func float(_ bytes: [UInt8]) -> String? {
        let (minus, start) = sign(bytes)
        var position = start
        while position < bytes.count && isDigit(bytes[position]) { position += 1 }
        let integer = bytes[start..<position]
        var fraction: ArraySlice<UInt8> = []
        if position < bytes.count && bytes[position] == .dot {
            let fractionStart = position + 1
            position = fractionStart
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
            fraction = bytes[fractionStart..<position]
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = ""
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            let exponentStart = position
            position += 1
            if position < bytes.count && (bytes[position] == .plus || bytes[position] == .dash) { position += 1 }
            let digitsStart = position
            while position < bytes.count && isDigit(bytes[position]) { position += 1 }
            guard position > digitsStart else { return nil }
            exponent = String(decoding: bytes[exponentStart..<position], as: UTF8.self)
        }
        guard position == bytes.count else { return nil }
        let fractionText = fraction.isEmpty ? "" : "." + String(decoding: fraction, as: UTF8.self)
        return minus + trimZeros(integer) + fractionText + exponent
    }
}
