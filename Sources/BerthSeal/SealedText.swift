import COpenSSL
import FoundationEssentials

/// `berth-sealed:v1:<key fingerprint>:<base64 of wrapped key | nonce | ciphertext | tag>`:
/// a value encrypted with a fresh AES-256-GCM key and nonce, the AES key wrapped for the
/// installation's public key with RSA-OAEP-SHA256. Only the holder of the private key opens
/// it; anyone with the public key can make one, so sealed values can live in git.
public enum SealedText {
    public static let prefix = "berth-sealed:v1:"
    static let keyBytes = 32
    static let nonceBytes = 12
    static let tagBytes = 16
    /// The fewest bytes a sealed value holds (an empty value): wrapped key, nonce and tag.
    public static let minimumBytes = SealKey.blockBytes + nonceBytes + tagBytes

    /// Seals `value` for `key` (its public half is enough). Each call gives a different text.
    public static func seal(_ value: [UInt8], for key: SealKey) throws -> String {
        var secret = try random(keyBytes)
        defer { OPENSSL_cleanse(&secret, secret.count) }
        let nonce = try random(nonceBytes)
        var wrapped = [UInt8](repeating: 0, count: SealKey.blockBytes)
        let wrappedCount = berth_rsa_oaep_sha256(key.pkey, 1, secret, secret.count, &wrapped, wrapped.count)
        guard wrappedCount == SealKey.blockBytes else { throw SealKey.failure("cannot wrap the value's key") }
        let header = prefix + key.fingerprint
        var ciphertext = [UInt8](repeating: 0, count: max(value.count, 1))
        var tag = [UInt8](repeating: 0, count: tagBytes)
        let aad = Array(header.utf8)
        guard berth_aes256gcm(1, secret, nonce, aad, Int32(aad.count), value, Int32(value.count), &ciphertext, &tag) == 1 else {
            throw SealKey.failure("cannot encrypt the value")
        }
        let payload = wrapped + nonce + ciphertext.prefix(value.count) + tag
        return header + ":" + Data(payload).base64EncodedString()
    }

    /// The fingerprint of the key `text` was sealed for; throws `.malformed` when `text` is not
    /// a sealed value.
    public static func keyFingerprint(_ text: String) throws -> String {
        try parse(text).fingerprint
    }

    /// The value sealed in `text`; `key` must hold the private key it was sealed for.
    public static func open(_ text: String, with key: SealKey) throws -> [UInt8] {
        let (fingerprint, payload) = try parse(text)
        guard fingerprint == key.fingerprint else {
            throw SealError(.wrongKey(sealedFor: fingerprint, installation: key.fingerprint),
                            "sealed for key \(fingerprint), but this installation's key is \(key.fingerprint)")
        }
        guard key.hasPrivateKey else { throw SealError(.key, "opening a sealed value needs the private key") }
        let wrapped = Array(payload.prefix(SealKey.blockBytes))
        let nonce = Array(payload[SealKey.blockBytes..<SealKey.blockBytes + nonceBytes])
        let ciphertext = Array(payload[(SealKey.blockBytes + nonceBytes)..<(payload.count - tagBytes)])
        var tag = Array(payload.suffix(tagBytes))
        var secret = [UInt8](repeating: 0, count: SealKey.blockBytes)
        defer { OPENSSL_cleanse(&secret, secret.count) }
        let count = berth_rsa_oaep_sha256(key.pkey, 0, wrapped, wrapped.count, &secret, secret.count)
        ERR_clear_error()
        guard count == keyBytes else { throw tampered() }
        var value = [UInt8](repeating: 0, count: max(ciphertext.count, 1))
        let aad = Array((prefix + fingerprint).utf8)
        guard berth_aes256gcm(0, secret, nonce, aad, Int32(aad.count), ciphertext, Int32(ciphertext.count), &value, &tag) == 1 else {
            OPENSSL_cleanse(&value, value.count)
            ERR_clear_error()
            throw tampered()
        }
        return Array(value.prefix(ciphertext.count))
    }

    static func parse(_ text: String) throws -> (fingerprint: String, payload: [UInt8]) {
        guard text.hasPrefix(prefix) else {
            throw SealError(.malformed, "a sealed value starts with \"\(prefix)\"; make one with `berth seal`")
        }
        let rest = text.dropFirst(prefix.count)
        guard let colon = rest.firstIndex(of: ":") else { throw SealError(.malformed, "the sealed value is cut short: no \":\" after the key fingerprint") }
        let fingerprint = String(rest[..<colon])
        guard fingerprint.count == 16, fingerprint.allSatisfy({ "0123456789abcdef".contains($0) }) else {
            throw SealError(.malformed, "the key fingerprint of a sealed value is 16 lowercase hex digits, got \"\(fingerprint.prefix(32))\"")
        }
        guard let data = Data(base64Encoded: String(rest[rest.index(after: colon)...])) else {
            throw SealError(.malformed, "the sealed value is not valid base64 after the key fingerprint (cut short or changed?)")
        }
        guard data.count >= minimumBytes else {
            throw SealError(.malformed, "the sealed value is cut short: \(data.count) bytes, at least \(minimumBytes) expected")
        }
        return (fingerprint, [UInt8](data))
    }

    static func tampered() -> SealError {
        SealError(.tampered, "the sealed value cannot be opened: it was changed after sealing (or copied incompletely); seal the value again with `berth seal`")
    }

    static func random(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw SealKey.failure("no random bytes from OpenSSL") }
        return bytes
    }
}
