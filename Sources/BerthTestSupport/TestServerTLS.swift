import COpenSSL
import Glibc

/// What a TLS test server presents and whom it lets in: its certificate (PEM, then any
/// intermediate CAs) and key, and
/// optionally the CA (PEM) client certificates must be signed by. With `clientCAPEM` set
/// the server requires a client certificate and refuses one that CA did not sign.
public struct TLSServerIdentity: Sendable {
    public var certificatePEM: [UInt8]
    public var keyPEM: [UInt8]
    public var clientCAPEM: [UInt8]?
    /// Speak TLS 1.2 at most, as older API servers and engines do: then a client certificate
    /// is judged inside the handshake, where in TLS 1.3 it is judged after the client's side of it.
    public var onlyTLS12: Bool

    public init(certificatePEM: [UInt8], keyPEM: [UInt8], clientCAPEM: [UInt8]? = nil, onlyTLS12: Bool = false) {
        self.certificatePEM = certificatePEM
        self.keyPEM = keyPEM
        self.clientCAPEM = clientCAPEM
        self.onlyTLS12 = onlyTLS12
    }
}

/// The server's `SSL_CTX`. `@unchecked Sendable`: configured once in `init`, then only
/// used to make sessions, which OpenSSL allows from any thread.
final class TestServerTLSContext: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ identity: TLSServerIdentity) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw HTTPTestServerError("SSL_CTX_new failed") }
        pointer = context
        let certificates = try Self.certificates(identity.certificatePEM)
        defer { certificates.forEach { X509_free($0) } }
        guard let key = Self.withBIO(identity.keyPEM, { PEM_read_bio_PrivateKey($0, nil, nil, nil) }) else {
            throw HTTPTestServerError("the server key is not a PEM private key")
        }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_certificate(context, certificates[0]) == 1, SSL_CTX_use_PrivateKey(context, key) == 1 else {
            throw HTTPTestServerError("cannot use the server certificate and key")
        }
        // Certificates after the first are the chain up to the CA, sent along with it.
        for intermediate in certificates.dropFirst() { _ = berth_SSL_CTX_add1_chain_cert(context, intermediate) }
        if identity.onlyTLS12 { _ = berth_SSL_CTX_set_max_proto_version(context, TLS1_2_VERSION) }
        if let clientCA = identity.clientCAPEM {
            let store = SSL_CTX_get_cert_store(context)
            for certificate in try Self.certificates(clientCA) {
                X509_STORE_add_cert(store, certificate)
                X509_free(certificate)
            }
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    private static func certificates(_ pem: [UInt8]) throws -> [OpaquePointer] {
        let found = withBIO(pem) { bio in
            var list: [OpaquePointer] = []
            while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) { list.append(certificate) }
            ERR_clear_error()
            return list
        }
        if found.isEmpty { throw HTTPTestServerError("no PEM certificate given") }
        return found
    }

    private static func withBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer?) -> T) -> T {
        let bio = BIO_new(BIO_s_mem())
        defer { BIO_free(bio) }
        _ = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32($0.count)) }
        return body(bio)
    }
}

/// One TLS session on an accepted (blocking) descriptor, used by its connection's thread only.
final class TestServerTLSSession {
    private let ssl: OpaquePointer

    /// Completes the handshake; nil when the client failed it (the test looks at the client's error).
    init?(context: TestServerTLSContext, fd: Int32) {
        guard let ssl = SSL_new(context.pointer) else { return nil }
        self.ssl = ssl
        // OpenSSL writes with write(2), which raises SIGPIPE on a closed connection; blocked
        // on this thread, the signal stays pending and write fails with EPIPE instead.
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeOnly, nil)
        SSL_set_fd(ssl, fd)
        if SSL_accept(ssl) != 1 {
            ERR_clear_error()
            return nil
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Decrypted bytes appended to `buffer`; false at the end of the connection or on failure.
    func receive(into buffer: inout [UInt8]) -> Bool {
        var scratch = [UInt8](repeating: 0, count: 16384)
        let count = SSL_read(ssl, &scratch, Int32(scratch.count))
        ERR_clear_error()
        guard count > 0 else { return false }
        buffer.append(contentsOf: scratch[0..<Int(count)])
        return true
    }

    /// Whether decrypted bytes wait inside OpenSSL, which `poll` on the descriptor cannot see.
    var hasPending: Bool { SSL_pending(ssl) > 0 }

    func send(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        let count = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
        ERR_clear_error()
        return Int(count) == bytes.count
    }
}
