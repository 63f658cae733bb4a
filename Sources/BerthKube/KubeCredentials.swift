import BerthModel

/// Words for the moments credentials matter: an API server refusing them, and what
/// `--kube-proxy` mode can say about credentials berth never sees.
///
/// A 401 or 403 is only actionable when the message says who berth was; these errors
/// name the context, user and kind of credential (`credentialsDescription`), never the
/// secret itself.
public enum KubeCredentials {
    /// The error for a 401 or 403 answer; nil for any other status.
    ///
    /// - Parameters:
    ///   - action: what berth was doing, e.g. `listing deployments in namespace "shop"`.
    ///   - serverMessage: the `message` of the Kubernetes Status the server sent, if any.
    /// ```swift
    /// if let error = KubeCredentials.refusal(status: response.status, action: "creating deployment \"web\"",
    ///                                        settings: settings, serverMessage: status.message) { throw error }
    /// ```
    public static func refusal(status: Int, action: String, settings: KubeConnectionSettings,
                               serverMessage: String?) -> BerthError? {
        refusal(status: status, action: action, server: settings.server.description,
                credentials: settings.credentialsDescription, serverMessage: serverMessage)
    }

    /// The same, for callers that hold the parts (`--kube-proxy` mode has no settings).
    public static func refusal(status: Int, action: String, server: String, credentials: String,
                               serverMessage: String?) -> BerthError? {
        let said = serverMessage.map { $0.isEmpty ? "" : ": \($0)" } ?? ""
        switch status {
        case 401:
            return BerthError(.refused, "\(action): the API server \(server) did not accept the credentials of \(credentials) "
                + "(401 Unauthorized\(said)); they may have expired or belong to another cluster", status: status)
        case 403:
            return BerthError(.refused, "\(action): \(credentials) is not allowed to do this on \(server) "
                + "(403 Forbidden\(said)); grant it the RBAC permission or use another context", status: status)
        default:
            return nil
        }
    }

    /// Who berth is in `--kube-proxy` mode, where kubectl picks and holds the credentials:
    /// `credentials kubectl chose for context "dev" of /root/.kube/config`.
    public static func proxyDescription(kubeconfig: String?, context: String?) -> String {
        let which = context.map { "context \"\($0)\"" } ?? "the current context"
        let source = kubeconfig.map { " of \($0)" } ?? ""
        return "credentials kubectl chose for \(which)\(source)"
    }
}
