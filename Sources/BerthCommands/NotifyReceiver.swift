import BerthEngine
import BerthHTTP
import BerthModel
import BerthSystem
import FoundationEssentials

/// `watch --notify URL`: where notifications are posted. http:// and https:// through the
/// same HTTP client as the engines; `user:password@` becomes Basic authentication. Logs
/// name the URL with the password and the query masked, as they may hold credentials.
struct NotifyReceiver: Sendable {
    /// Each POST may take this long once connected (and as long again to connect).
    static let requestLimit: Duration = .seconds(10)

    let endpoint: HTTPEndpoint
    /// The request target: path and query.
    let path: String
    let authorization: String?
    /// The URL as logs show it.
    let masked: String

    init(parsing url: String) throws {
        func invalid(_ why: String) -> BerthError {
            BerthError(.usage, "--notify \(NotifyReceiver.mask(url)): \(why); expected http://HOST[:PORT]/PATH or https://…")
        }
        guard let schemeEnd = url.firstRange(of: "://") else { throw invalid("no scheme") }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw invalid("only http and https are posted to") }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        var target = String(rest[authorityEnd...])
        if let hash = target.firstIndex(of: "#") { target = String(target[..<hash]) }
        if target.isEmpty { target = "/" } else if target.hasPrefix("?") { target = "/" + target }
        var authorization: String?
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authorization = "Basic " + Data((credentials.percentDecoded() ?? String(credentials)).utf8).base64EncodedString()
            authority = authority[authority.index(after: at)...]
        }
        guard !authority.isEmpty else { throw invalid("no host") }
        do {
            endpoint = try HTTPEndpoint(parsing: "\(scheme)://\(authority)")
        } catch {
            throw invalid("\(error)")
        }
        path = target
        self.authorization = authorization
        masked = NotifyReceiver.mask(url)
    }

    /// The secret part of the user information (`URLCredentials.masked`) and the query's
    /// values replaced by "***".
    static func mask(_ url: String) -> String {
        let text = URLCredentials.masked(url)
        guard let question = text.firstIndex(of: "?") else { return text }
        let query = text[text.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).map { pair in
            pair.firstIndex(of: "=").map { pair[..<$0] + "=***" } ?? pair
        }
        return String(text[...question]) + query.joined(separator: "&")
    }

    /// Posts one event; throws unless the receiver answers 2xx.
    func post(_ event: NotificationEvent) async throws {
        let client = HTTPClient(endpoint: endpoint, timeout: NotifyReceiver.requestLimit, connectTimeout: NotifyReceiver.requestLimit)
        var headers = [("Content-Type", "application/json"), ("User-Agent", "berth")]
        if let authorization { headers.append(("Authorization", authorization)) }
        let response: HTTPResponse
        do {
            response = try await client.send(HTTPRequest(method: "POST", path: path, headers: headers, body: Array(event.json.utf8)))
        } catch {
            // The transport's words are for engines: a receiver is not one.
            let said = error.detail.replacingAll("; is the engine running?", with: "")
                .replacingAll(" (is the engine running?)", with: "")
            throw BerthError(.engineError, "posting \(event.event) to \(masked)", cause: error.kind == .timeout ? "no answer: \(said)" : said)
        }
        guard (200..<300).contains(response.status) else {
            throw BerthError(.engineError, "posting \(event.event) to \(masked)", cause: "the receiver answered \(response.status)")
        }
    }
}
