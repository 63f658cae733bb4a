/// HMAC (RFC 2104) over SHA-256: the keyed fingerprints of secret values, and the
/// signatures of push webhooks.
public enum HMAC {
    /// The 32-byte MAC of `message` under `key`.
    public static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: 64 - block.count)
        let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
        return SHA256.hash(block.map { $0 ^ 0x5c } + inner)
    }

    /// The MAC as 64 lowercase hex digits, as GitHub and Gitea send signatures.
    public static func sha256Hex(key: [UInt8], message: [UInt8]) -> String {
        SHA256.lowercaseHex(sha256(key: key, message: message))
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
