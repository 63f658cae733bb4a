import COpenSSL

/// An OpenSSL `SSL_CTX` configured from one `TLSSettings`: the trusted CAs, the client
/// certificate and key, TLS 1.2 as the oldest version. Sessions for each connection are
/// made from it.
///
/// `@unchecked Sendable` is safe because the context is fully configured in `init` and
/// never changed afterwards; OpenSSL allows `SSL_new` on a configured context from any
/// thread (it counts references under its own lock).
final class TLSContext: @unchecked Sendable {
    let settings: TLSSettings
    let pointer: OpaquePointer

    private static let cache = Locked([TLSSettings: TLSContext]())

    /// The context for `settings`, parsed once per process: each request opens its own
    /// connection, and the PEM bundles do not change while berth runs.
    static func shared(for settings: TLSSettings, endpoint: String) throws(HTTPError) -> TLSContext {
        if let known = cache.withLock({ $0[settings] }) { return known }
        let made = try TLSContext(settings: settings, endpoint: endpoint)
        return cache.withLock { contexts in
            if let raced = contexts[settings] { return raced }
            contexts[settings] = made
            return made
        }
    }

    init(settings: TLSSettings, endpoint: String) throws(HTTPError) {
        func invalid(_ detail: String) -> HTTPError {
            HTTPError(.invalidEndpoint, endpoint: endpoint, detail: detail + TLSContext.queuedReason())
        }
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw invalid("cannot create a TLS context") }
        self.settings = settings
        self.pointer = context
        guard berth_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw invalid("cannot require TLS 1.2")
        }
        if settings.insecureSkipVerify {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            if let caPEM = settings.caPEM {
                let certificates = try TLSContext.certificates(in: caPEM) { invalid("the CA bundle " + $0) }
                let store = SSL_CTX_get_cert_store(context)
                // Any certificate given is a trust anchor, self-signed or not, as in Go's
                // crypto/tls that kubectl and docker use: a bundle holding only an
                // intermediate CA works the same with berth as with them.
                X509_STORE_set_flags(store, UInt(X509_V_FLAG_PARTIAL_CHAIN))
                for certificate in certificates {
                    defer { X509_free(certificate) }
                    // The same CA twice in a bundle is harmless; OpenSSL 3 ignores the duplicate.
                    guard X509_STORE_add_cert(store, certificate) == 1 else { throw invalid("cannot add a CA certificate") }
                }
            } else if SSL_CTX_set_default_verify_paths(context) != 1 {
                throw invalid("cannot load the system's CA certificates")
            }
        }
        switch (settings.clientCertificatePEM, settings.clientKeyPEM) {
        case (nil, nil):
            berth_SSL_CTX_watch_certificate_requests(context)
        case (let certificatePEM?, let keyPEM?):
            let chain = try TLSContext.certificates(in: certificatePEM) { invalid("the client certificate " + $0) }
            defer { chain.forEach { X509_free($0) } }
            guard SSL_CTX_use_certificate(context, chain[0]) == 1 else { throw invalid("cannot use the client certificate") }
            for intermediate in chain.dropFirst() where berth_SSL_CTX_add1_chain_cert(context, intermediate) != 1 {
                throw invalid("cannot use the client certificate's chain")
            }
            let key = try TLSContext.privateKey(in: keyPEM) { invalid("the client key " + $0) }
            defer { EVP_PKEY_free(key) }
            guard SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
                throw invalid("the client key does not belong to the client certificate")
            }
        case (nil, _?):
            throw invalid("a client key was given without a client certificate")
        case (_?, nil):
            throw invalid("a client certificate was given without its key")
        }
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// Every certificate in a PEM bundle, in order; at least one, else `failure("...")`.
    static func certificates(in pem: [UInt8], failure: (String) -> HTTPError) throws(HTTPError) -> [OpaquePointer] {
        let bio = memoryBIO(pem)
        defer { BIO_free(bio) }
        var found: [OpaquePointer] = []
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
            found.append(certificate)
        }
        // Reading stops with "no start line" at the end of the bundle; that is not an error.
        ERR_clear_error()
        if found.isEmpty { throw failure("holds no PEM certificate") }
        return found
    }

    /// The first private key in a PEM bundle (PKCS#8, RSA or EC).
    static func privateKey(in pem: [UInt8], failure: (String) -> HTTPError) throws(HTTPError) -> OpaquePointer {
        let bio = memoryBIO(pem)
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            ERR_clear_error()
            throw failure("holds no PEM private key (an encrypted key is not supported)")
        }
        return key
    }

    private static func memoryBIO(_ bytes: [UInt8]) -> OpaquePointer? {
        bytes.withUnsafeBytes { raw in
            // BIO_new_mem_buf does not copy: the buffer is only borrowed, so copy it into a BIO of its own.
            let bio = BIO_new(BIO_s_mem())
            if let base = raw.baseAddress, raw.count > 0 { _ = BIO_write(bio, base, Int32(raw.count)) }
            return bio
        }
    }

    /// OpenSSL's reason for the last failure on this thread, as " (reason)", or "".
    static func queuedReason() -> String {
        let code = ERR_peek_last_error()
        defer { ERR_clear_error() }
        guard code != 0, let reason = ERR_reason_error_string(code) else { return "" }
        return " (\(String(cString: reason)))"
    }
}
