import COpenSSL

/// An installation's RSA-3072 key pair (or only its public half, to seal for another
/// installation). The fingerprint names the key in every sealed value and message.
public final class SealKey: @unchecked Sendable {
    public static let bits: Int32 = 3072
    /// Bytes of an RSA-3072 block: the size of a wrapped AES key.
    public static let blockBytes = Int(bits) / 8

    // EVP_PKEY is reference counted and not changed after it is made: safe to share.
    let pkey: OpaquePointer
    public let hasPrivateKey: Bool

    private init(_ pkey: OpaquePointer, hasPrivateKey: Bool) { self.pkey = pkey; self.hasPrivateKey = hasPrivateKey }

    deinit { EVP_PKEY_free(pkey) }

    /// A new key pair from OpenSSL's random generator.
    public static func generate() throws -> SealKey {
        guard let pkey = berth_rsa_generate(bits) else { throw failure("cannot make an RSA-\(bits) key") }
        return SealKey(pkey, hasPrivateKey: true)
    }

    /// A private key as `keys init` writes it (PKCS#8 PEM).
    public convenience init(privatePEM: [UInt8]) throws {
        try self.init(pem: privatePEM, private: true)
    }

    /// A public key as `keys show` prints it (SubjectPublicKeyInfo PEM).
    public convenience init(publicPEM: [UInt8]) throws {
        try self.init(pem: publicPEM, private: false)
    }

    private init(pem: [UInt8], private isPrivate: Bool) throws {
        let what = isPrivate ? "private key (\"-----BEGIN PRIVATE KEY-----\")" : "public key (\"-----BEGIN PUBLIC KEY-----\")"
        guard let bio = pem.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else { throw Self.failure("cannot read the key") }
        defer { BIO_free(bio) }
        let read = isPrivate ? PEM_read_bio_PrivateKey(bio, nil, nil, nil) : PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        ERR_clear_error()
        guard let pkey = read else { throw SealError(.key, "not a PEM \(what)") }
        guard berth_rsa_bits(pkey) == Self.bits else {
            EVP_PKEY_free(pkey)
            throw SealError(.key, "not an RSA-\(Self.bits) \(what.prefix { $0 != " " }) key as `berth keys init` makes")
        }
        self.pkey = pkey
        self.hasPrivateKey = isPrivate
    }

    /// PKCS#8 PEM, unencrypted: the file is protected by its mode (0600), as ssh host keys are.
    public func privatePEM() throws -> [UInt8] {
        guard hasPrivateKey else { throw Self.failure("this is only a public key") }
        return try Self.pem { PEM_write_bio_PrivateKey($0, pkey, nil, nil, 0, nil, nil) }
    }

    /// SubjectPublicKeyInfo PEM.
    public func publicPEM() throws -> [UInt8] {
        try Self.pem { PEM_write_bio_PUBKEY($0, pkey) }
    }

    /// The DER SubjectPublicKeyInfo: what the fingerprint is taken over.
    public var publicDER: [UInt8] {
        let length = berth_public_der(pkey, nil, 0)
        guard length > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: Int(length))
        _ = berth_public_der(pkey, &out, length)
        return out
    }

    /// The first 16 hex digits of the SHA-256 of the DER public key.
    public var fingerprint: String {
        let der = publicDER
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        _ = EVP_Digest(der, der.count, &digest, &size, EVP_sha256(), nil)
        return digest.prefix(8).map(Self.hex).joined()
    }

    private static func pem(_ write: (OpaquePointer) -> Int32) throws -> [UInt8] {
        guard let bio = BIO_new(BIO_s_mem()) else { throw failure("cannot write the key") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw failure("cannot write the key") }
        var data: UnsafeMutablePointer<CChar>?
        let count = berth_BIO_get_mem_data(bio, &data)
        guard let data, count > 0 else { throw failure("cannot write the key") }
        return data.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// Two lowercase hex digits.
    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
    }

    static func failure(_ what: String) -> SealError {
        let code = ERR_get_error()
        ERR_clear_error()
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        let message = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return SealError(.key, code == 0 ? what : "\(what) (OpenSSL: \(message))")
    }
}

