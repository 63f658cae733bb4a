import BerthSystem
import FoundationEssentials
import BerthJSON
import BerthModel
import BerthYAML

/// One kubeconfig file, decoded into its named clusters, users and contexts.
///
/// Every entry remembers its file and position so errors can point at it, and relative
/// paths are already made absolute against the file's folder, as client-go does before
/// merging: a certificate path means the same thing whichever file it came from.
struct KubeconfigFile {
    /// Where an entry was defined: the file and its path inside it, e.g. "users[0]".
    struct Origin: Equatable, CustomStringConvertible {
        var file: String
        var path: String
        var description: String { "\(file): \(path)" }
    }

    struct Cluster {
        var name: String
        var origin: Origin
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool
        var tlsServerName: String?
        /// Set when the cluster is reached through an HTTP proxy (`proxy-url`), which berth
        /// does not do itself; connecting directly instead would fail in confusing ways.
        var proxyURL: Bool
    }

    struct User {
        var name: String
        var origin: Origin
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        /// The credential kinds berth does not speak itself: "an exec plugin",
        /// "the auth provider \"gcp\"", "a username and password", "impersonation (`as`)".
        var unsupported: String?
    }

    struct Context {
        var name: String
        var origin: Origin
        var cluster: String?
        var user: String?
        var namespace: String?
    }

    /// True when the file defines nothing: client-go treats an empty file as no file.
    var isEmpty: Bool { clusters.isEmpty && users.isEmpty && contexts.isEmpty && currentContext == nil }

    let path: String
    var clusters: [Cluster] = []
    var users: [User] = []
    var contexts: [Context] = []
    var currentContext: String?

    /// Reads and decodes the file at `path`.
    static func load(_ path: String) throws(BerthError) -> KubeconfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BerthError(.io, "cannot read the kubeconfig \(path)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BerthError(.usage, "\(path): not UTF-8 text; a kubeconfig is a YAML file")
        }
        return try KubeconfigFile(path: path, text: text)
    }

    /// Decodes `text` as the kubeconfig at `path`; YAML errors read `FILE:LINE:COLUMN: message`.
    init(path: String, text: String) throws(BerthError) {
        self.path = path
        let document: JSONValue
        do {
            document = try YAMLParser.parse(text)
        } catch {
            throw BerthError(.usage, "\(path):\(error.line):\(error.column): \(error.message)")
        }
        let top = try KubeconfigFields(document, file: path, path: "")
        let folder = FileSystem.deletingLastComponent(of: path)
        func resolve(_ value: String?) -> String? {
            guard let value, !value.hasPrefix("/") else { return value }
            let joined = folder.isEmpty ? value : FileSystem.appending(value, to: folder)
            // "../certs/ca.pem" reads better in messages without the detour.
            return URL(fileURLWithPath: joined).standardized.path
        }
        currentContext = try top.string("current-context")
        for entry in try top.objects("clusters") {
            let fields = try entry.object("cluster")
            clusters.append(Cluster(
                name: try entry.name(), origin: Origin(file: path, path: entry.path),
                server: try fields.string("server"),
                certificateAuthority: resolve(try fields.string("certificate-authority")),
                certificateAuthorityData: try fields.string("certificate-authority-data"),
                insecureSkipTLSVerify: try fields.bool("insecure-skip-tls-verify"),
                tlsServerName: try fields.string("tls-server-name"),
                proxyURL: try fields.string("proxy-url") != nil))
        }
        for entry in try top.objects("users") {
            let fields = try entry.object("user")
            var unsupported: String?
            if fields.has("exec") {
                unsupported = "an exec plugin"
            } else if fields.has("auth-provider") {
                let provider = try? fields.object("auth-provider").string("name")
                unsupported = provider.map { "the auth provider \"\($0)\"" } ?? "an auth provider"
            } else if fields.has("username") || fields.has("password") {
                unsupported = "a username and password"
            } else if ["as", "as-uid", "as-groups", "as-user-extra"].contains(where: fields.has) {
                // Ignoring it would act as the underlying user, not the one the file names.
                unsupported = "impersonation (`as`)"
            }
            users.append(User(
                name: try entry.name(), origin: Origin(file: path, path: entry.path),
                token: try fields.string("token"),
                tokenFile: resolve(try fields.string("tokenFile")),
                clientCertificate: resolve(try fields.string("client-certificate")),
                clientCertificateData: try fields.string("client-certificate-data"),
                clientKey: resolve(try fields.string("client-key")),
                clientKeyData: try fields.string("client-key-data"),
                unsupported: unsupported))
        }
        for entry in try top.objects("contexts") {
            let fields = try entry.object("context")
            contexts.append(Context(
                name: try entry.name(), origin: Origin(file: path, path: entry.path),
                cluster: try fields.string("cluster"), user: try fields.string("user"),
                namespace: try fields.string("namespace")))
        }
    }
}
