import COpenSSL

/// HMAC-SHA256 through the OpenSSL berth already links, for webhook signatures.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`.
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        // An empty key or message still needs a valid pointer.
        let keyBytes = key.isEmpty ? [0] : key, data = message.isEmpty ? [0] : message
        let ok = berth_hmac_sha256(keyBytes, key.count, data, message.count, &out)
        precondition(ok == 1, "OpenSSL's HMAC-SHA256 failed")
        return out
    }

    /// Lower-case hex, as GitHub and Gitea send signatures.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares without stopping at the first difference, so the time taken says nothing
    /// about how much of a guessed signature was right. The lengths are not secret.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
