import COpenSSL

/// What one OpenSSL call returned, and on failure what OpenSSL knew about why; collected
/// under the session's lock, on the thread that made the call (OpenSSL's error queue is
/// per thread).
struct TLSOutcome {
    var result: Int32
    var error: Int32
    /// Whether the call left ciphertext to send (handshake messages, records, alerts).
    var produced = false
    /// OpenSSL's reason string, e.g. "certificate verify failed", "tlsv1 alert unknown ca".
    var reason: String?
    /// The reason number; from `SSL_AD_REASON_OFFSET` on, an alert the server sent.
    var reasonCode: Int32 = 0
    /// `SSL_get_verify_result`: why the server's certificate was refused, or `X509_V_OK`.
    var verifyResult = Int(X509_V_OK)
    /// Whether the server asked for a client certificate that was not configured.
    var certificateRequested = false
    /// The names the server's certificate is for, as `"a", "b"`; only for a name mismatch.
    var peerNames = ""

    init(result: Int32, error: Int32) {
        self.result = result
        self.error = error
    }

    mutating func collect(from ssl: OpaquePointer) {
        let code = ERR_peek_last_error()
        if code != 0 {
            reasonCode = berth_ERR_GET_REASON(code)
            reason = ERR_reason_error_string(code).map { String(cString: $0) }
        }
        verifyResult = SSL_get_verify_result(ssl)
        certificateRequested = berth_SSL_client_certificate_was_requested(ssl) != 0
        if verifyResult == X509_V_ERR_HOSTNAME_MISMATCH || verifyResult == X509_V_ERR_IP_ADDRESS_MISMATCH {
            var text = [CChar](repeating: 0, count: 1024)
            berth_SSL_peer_names(ssl, &text, text.count)
            peerNames = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Whether the call only needs more input (or output room) to go on.
    var isWaiting: Bool { error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE }

    /// The alert number the server sent, if the failure was one.
    var alert: Int32? {
        reasonCode >= SSL_AD_REASON_OFFSET ? reasonCode - SSL_AD_REASON_OFFSET : nil
    }
}

extension TLSByteStream {
    /// Alerts a server sends about a client certificate it will not take: bad_certificate,
    /// unsupported_certificate, certificate_revoked, certificate_expired,
    /// certificate_unknown, unknown_ca, access_denied, certificate_required.
    private static let clientCertificateAlerts: Set<Int32> = [42, 43, 44, 45, 46, 48, 49, 116]

    /// One line a user can act on. Verification failures and refused certificates are not
    /// transient; in TLS 1.3 the server judges the client certificate after berth's side of
    /// the handshake is done, so its refusal can arrive with the first read or write.
    func failure(_ outcome: TLSOutcome, phase: Phase) -> HTTPError {
        let reason = outcome.reason ?? (outcome.error == SSL_ERROR_SYSCALL ? "connection lost" : "TLS error")
        if !settings.insecureSkipVerify && outcome.verifyResult != Int(X509_V_OK) {
            let why = String(cString: X509_verify_cert_error_string(outcome.verifyResult))
            return HTTPError(.tls, endpoint: endpoint, detail: "\(verificationProblem(outcome)) (\(reason): \(why))")
        }
        if let alert = outcome.alert {
            if settings.clientCertificatePEM == nil && (outcome.certificateRequested || alert == 116) {
                return HTTPError(.tls, endpoint: endpoint,
                                 detail: "the server requires a client certificate and none was configured (\(reason))")
            }
            if settings.clientCertificatePEM != nil && TLSByteStream.clientCertificateAlerts.contains(alert) {
                return HTTPError(.tls, endpoint: endpoint, detail: "the server refused the client certificate (\(reason))")
            }
            if phase == .handshake {
                return HTTPError(.tls, endpoint: endpoint, detail: "the server ended the handshake (\(reason))")
            }
        }
        if outcome.reasonCode == SSL_R_WRONG_VERSION_NUMBER || outcome.reasonCode == SSL_R_PACKET_LENGTH_TOO_LONG {
            return HTTPError(.tls, endpoint: endpoint, detail: "the server does not speak TLS on this port (\(reason))")
        }
        if phase == .handshake {
            return HTTPError(.tls, endpoint: endpoint, detail: reason)
        }
        return HTTPError(.reset, endpoint: endpoint, detail: "TLS session failed (\(reason))")
    }

    private func verificationProblem(_ outcome: TLSOutcome) -> String {
        switch Int32(outcome.verifyResult) {
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            let names = outcome.peerNames.isEmpty ? "another name" : outcome.peerNames
            return "the server's certificate is for \(names), not \"\(checkedName)\""
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_SIGNATURE_FAILURE:
            return settings.caPEM == nil
                ? "the server's certificate is not signed by a CA this system trusts"
                : "the server's certificate is not signed by the given CA"
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "the server's certificate has expired"
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "the server's certificate is not valid yet"
        default:
            return "the server's certificate was not accepted"
        }
    }
}
