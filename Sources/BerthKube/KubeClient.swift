import BerthHTTP
import BerthJSON
import BerthModel
import FoundationEssentials

/// The Kubernetes API over berth's own HTTP/1.1 (TLS, or plain HTTP to `kubectl proxy` on a
/// Unix socket): JSON in and out, bearer tokens, and errors that carry the API's Status.
public final class KubeClient: Sendable {
    public let endpoint: HTTPEndpoint
    /// Named in 401/403 errors: which credentials were used, never the secret itself.
    public let credentials: String
    let http: HTTPClient
    let token: @Sendable () -> String?
    /// A server URL's path ("https://host/k8s" -> "/k8s"), put before every API path.
    let pathPrefix: String

    public init(endpoint: HTTPEndpoint, credentials: String, timeout: Duration = .seconds(30), pathPrefix: String = "",
                token: @escaping @Sendable () -> String? = { nil }) {
        self.endpoint = endpoint
        self.credentials = credentials
        self.pathPrefix = pathPrefix
        self.http = HTTPClient(endpoint: endpoint, timeout: timeout)
        self.token = token
    }

    /// One request; `doing` names what berth was doing ("applying apps/v1 Deployment default/web").
    /// `accept` lists statuses that are answers, not errors (404 on a delete).
    public func request(_ method: String, _ path: String, body: JSONValue? = nil,
                        contentType: String = "application/json", doing: String,
                        accept: Set<Int> = []) async throws -> (status: Int, body: JSONValue?) {
        let request = HTTPRequest(method: method, path: pathPrefix + path, headers: headers(body == nil ? nil : contentType),
                                  body: body.map { Array($0.serialized().utf8) })
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw transportError(error, doing: doing)
        }
        let json = JSONValue(answer: response.body)
        if (200..<300).contains(response.status) || accept.contains(response.status) { return (response.status, json) }
        throw KubeStatusError.make(status: response.status, body: json, text: response.bodyText, doing: doing, credentials: credentials)
    }

    /// Whether the server answers its health endpoint (`/readyz`: 200 "ok") within a short
    /// time: a cheap probe of a server that was away, not an API call.
    public func isReady(timeout: Duration = .seconds(2)) async -> Bool {
        let probe = HTTPClient(endpoint: endpoint, timeout: timeout, connectTimeout: timeout)
        let request = HTTPRequest(method: "GET", path: pathPrefix + "/readyz", headers: headers(nil))
        guard let response = try? await probe.send(request) else { return false }
        return response.status == 200
    }

    /// A long-lived GET (a watch), read line by line. A refusal is read whole and thrown.
    public func stream(_ path: String, doing: String) async throws -> HTTPStream {
        let stream: HTTPStream
        do {
            stream = try await http.stream(HTTPRequest(method: "GET", path: pathPrefix + path, headers: headers(nil)))
        } catch {
            throw transportError(error, doing: doing)
        }
        guard (200..<300).contains(stream.status) else {
            let body = await stream.refusalBody()
            throw KubeStatusError.make(status: stream.status, body: JSONValue(answer: body),
                                       text: String(decoding: body, as: UTF8.self), doing: doing, credentials: credentials)
        }
        return stream
    }

    func headers(_ contentType: String?) -> [(String, String)] {
        var headers = [("Accept", "application/json"), ("User-Agent", "berth")]
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let token = token() { headers.append(("Authorization", "Bearer \(token)")) }
        return headers
    }

    /// Unreachable clusters are transient target failures, not "the engine is gone": Docker
    /// specs keep converging while the cluster is away.
    func transportError(_ error: HTTPError, doing: String) -> BerthError {
        let what = error.kind == .connect ? "cannot reach the Kubernetes API at \(endpoint)" : "\(doing) at \(endpoint)"
        return BerthError(.engineError, error.kind == .connect ? "\(what) (\(doing))" : what, cause: error.detail,
                          isRetryable: error.isTransient)
    }
}
