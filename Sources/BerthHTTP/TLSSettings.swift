/// How berth checks a TLS server and proves itself to it. Certificates and keys are PEM
/// bytes held in memory (a kubeconfig's base64 data, files read by the caller); OpenSSL
/// never opens a file for them.
public struct TLSSettings: Sendable, Hashable {
    /// CA certificates (PEM, any number) the server's chain must lead to; nil trusts the
    /// system's default CA paths instead.
    public var caPEM: [UInt8]?
    /// The client certificate (PEM, followed by any intermediates) for servers that ask for one.
    public var clientCertificatePEM: [UInt8]?
    /// The private key (PEM) of `clientCertificatePEM`; both or neither must be set.
    public var clientKeyPEM: [UInt8]?
    /// Accepts any server certificate, for name and chain alike. Only for throwaway test setups.
    public var insecureSkipVerify: Bool
    /// The name checked against the server's certificate and sent as SNI, when it differs
    /// from the host connected to (a kubeconfig's `tls-server-name`).
    public var serverName: String?

    /// Settings that verify the server against the system CAs and send no client certificate
    /// unless told otherwise.
    public init(caPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
                insecureSkipVerify: Bool = false, serverName: String? = nil) {
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}
