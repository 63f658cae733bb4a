import BerthSystem
import FoundationEssentials
import BerthModel

extension KubeconfigLoader {
    /// Reads the selected cluster's and user's certificates, keys and token into settings.
    static func settings(context: KubeconfigFile.Context, cluster: KubeconfigFile.Cluster,
                         user: KubeconfigFile.User?) throws(BerthError) -> KubeConnectionSettings {
        let clusterPath = "\(cluster.origin.path).cluster"
        guard let serverText = cluster.server else {
            throw BerthError(.usage, "cluster \"\(cluster.name)\" (\(cluster.origin)) has no server; set \(clusterPath).server")
        }
        if cluster.proxyURL {
            throw BerthError(.unsupported, "cluster \"\(cluster.name)\" (\(cluster.origin)) is reached through proxy-url, "
                + "which berth does not do itself; use --kube-proxy to let kubectl connect")
        }
        let server = try KubeConnectionSettings.Server(parsing: serverText, origin: "\(cluster.origin.file): \(clusterPath).server")
        let ca = try pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority,
                         field: "certificate-authority", entryPath: clusterPath, origin: cluster.origin,
                         what: "certificate authority")
        if ca != nil && cluster.insecureSkipTLSVerify {
            // kubectl refuses the same combination: trusting a CA and trusting anything contradict.
            throw BerthError(.usage, "cluster \"\(cluster.name)\" (\(cluster.origin)) sets both a certificate authority and "
                + "insecure-skip-tls-verify; remove one")
        }
        var settings = KubeConnectionSettings(
            server: server, caPEM: ca, insecureSkipVerify: cluster.insecureSkipTLSVerify,
            tlsServerName: cluster.tlsServerName, namespace: context.namespace ?? "default",
            credentialsDescription: "context \"\(context.name)\" with no user (no credentials)")
        guard let user else { return settings }
        let who = "user \"\(user.name)\" of context \"\(context.name)\""
        if let unsupported = user.unsupported {
            throw BerthError(.unsupported, "\(who) (\(user.origin)) uses \(unsupported), which berth does not run itself; "
                + "use --kube-proxy to let kubectl authenticate")
        }
        let userPath = "\(user.origin.path).user"
        settings.clientCertificatePEM = try pem(data: user.clientCertificateData, file: user.clientCertificate,
                                                field: "client-certificate", entryPath: userPath, origin: user.origin,
                                                what: "client certificate")
        settings.clientKeyPEM = try pem(data: user.clientKeyData, file: user.clientKey, field: "client-key",
                                        entryPath: userPath, origin: user.origin, what: "client key")
        if (settings.clientCertificatePEM == nil) != (settings.clientKeyPEM == nil) {
            let has = settings.clientCertificatePEM != nil ? "client-certificate" : "client-key"
            let lacks = has == "client-key" ? "client-certificate" : "client-key"
            throw BerthError(.usage, "\(who) (\(user.origin)) sets \(has) but no \(lacks); a client certificate needs its key")
        }
        var kinds: [String] = []
        if settings.clientCertificatePEM != nil {
            let source = user.clientCertificate.map { "client certificate \($0)" } ?? "client certificate from \(user.origin.file)"
            kinds.append(source)
        }
        if let token = user.token {
            // client-go prefers the inline token and reads tokenFile only without one.
            settings.token = token
            kinds.append("bearer token from \(user.origin.file)")
        } else if let tokenFile = user.tokenFile {
            settings.token = try readToken(tokenFile, named: "\(user.origin.file): \(userPath).tokenFile")
            settings.tokenFile = tokenFile
            kinds.append("bearer token file \(tokenFile)")
        }
        settings.credentialsDescription = "\(who) (\(kinds.isEmpty ? "no credentials" : kinds.joined(separator: " and ")))"
        return settings
    }

    /// PEM bytes from a base64 `*-data` field or from a file; nil when neither is set.
    private static func pem(data: String?, file: String?, field: String, entryPath: String,
                            origin: KubeconfigFile.Origin, what: String) throws(BerthError) -> [UInt8]? {
        if data != nil && file != nil {
            throw BerthError(.usage, "\(origin.file): \(entryPath) sets both \(field) and \(field)-data; keep one")
        }
        if let data {
            guard let bytes = decodeBase64(data) else {
                throw BerthError(.usage, "\(origin.file): \(entryPath).\(field)-data: not valid base64")
            }
            return bytes
        }
        guard let file else { return nil }
        guard let contents = FileManager.default.contents(atPath: file) else {
            throw BerthError(.io, "cannot read the \(what) \(file) (\(origin.file): \(entryPath).\(field))")
        }
        return [UInt8](contents)
    }

    /// Standard base64 as Go decodes it: line breaks and spaces between groups are
    /// ignored, anything else outside the alphabet is an error.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        let compact = text.filter { !$0.isWhitespace }
        guard !compact.isEmpty, let data = Data(base64Encoded: compact) else { return nil }
        return [UInt8](data)
    }

    /// A token file's text without surrounding white space; an unreadable or empty file is an error.
    static func readToken(_ path: String, named origin: String) throws(BerthError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw BerthError(.io, "cannot read the token file \(path) (\(origin))")
        }
        let token = text.trimmingWhitespaceAndNewlines()
        guard !token.isEmpty else { throw BerthError(.usage, "the token file \(path) (\(origin)) is empty") }
        return token
    }
}
