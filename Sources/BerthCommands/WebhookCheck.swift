import BerthHTTP
import BerthModel
import FoundationEssentials

/// Checks a push webhook against the shared secret, in the style its sender uses:
/// GitHub (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`), Gitea
/// (`X-Gitea-Signature: <hex HMAC-SHA256>`) or GitLab (`X-Gitlab-Token: <the secret>`).
enum WebhookCheck {
    enum Verdict: Equatable {
        case accepted(style: String)
        case refused(style: String, why: String)
    }

    static func verify(_ request: ServerRequest, secret: [UInt8]) -> Verdict {
        if let header = request.header("X-Hub-Signature-256") {
            guard header.hasPrefix("sha256=") else {
                return .refused(style: "github", why: "X-Hub-Signature-256 does not start with sha256=")
            }
            return hmac(String(header.dropFirst("sha256=".count)), request.body, secret, style: "github")
        }
        if let header = request.header("X-Gitea-Signature") {
            return hmac(header, request.body, secret, style: "gitea")
        }
        if let token = request.header("X-Gitlab-Token") {
            // Digests first: equal lengths, so the comparison's time says nothing about the secret.
            let same = HMAC.constantTimeEqual(SHA256.hash(Array(token.utf8)), SHA256.hash(secret))
            return same ? .accepted(style: "gitlab") : .refused(style: "gitlab", why: "X-Gitlab-Token is not the webhook secret")
        }
        return .refused(style: "none", why: "no X-Hub-Signature-256, X-Gitea-Signature or X-Gitlab-Token header")
    }

    private static func hmac(_ given: String, _ body: [UInt8], _ secret: [UInt8], style: String) -> Verdict {
        let expected = Array(HMAC.sha256Hex(key: secret, message: body).utf8)
        let same = HMAC.constantTimeEqual(Array(given.lowercased().utf8), expected)
        return same ? .accepted(style: style) : .refused(style: style, why: "the signature does not match the body and the webhook secret")
    }

    /// Reads the secret of --webhook-secret or --webhook-secret-file (read once, one trailing
    /// newline trimmed). The value is never put in a message.
    static func secret(value: String?, file: String?) throws -> [UInt8]? {
        if value != nil && file != nil { throw BerthError(.usage, "give --webhook-secret or --webhook-secret-file, not both") }
        var bytes: [UInt8]
        if let value {
            bytes = Array(value.utf8)
        } else if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw BerthError(.usage, "--webhook-secret-file \(file): cannot read the file (missing, or not readable by this user)")
            }
            bytes = [UInt8](data)
            if bytes.last == 10 { bytes.removeLast() }
            if bytes.last == 13 { bytes.removeLast() }
        } else {
            return nil
        }
        guard !bytes.isEmpty else { throw BerthError(.usage, "the webhook secret is empty: give a long random value (openssl rand -hex 32)") }
        return bytes
    }
}
