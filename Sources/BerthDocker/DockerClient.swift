import BerthHTTP
import BerthJSON
import BerthModel
import BerthSystem
import FoundationEssentials

/// The Docker Engine API over HTTP/1.1: version negotiation, JSON in and out, and errors that
/// say what berth was doing and what the engine said.
public actor DockerClient {
    /// The newest Engine API version berth speaks; the engine's, if lower, wins.
    public static let maxAPIVersion = "1.43"

    public nonisolated let endpoint: HTTPEndpoint
    let http: HTTPClient
    private var apiVersion: String?

    public init(endpoint: HTTPEndpoint, timeout: Duration = .seconds(60)) {
        self.endpoint = endpoint
        self.http = HTTPClient(endpoint: endpoint, timeout: timeout)
    }

    /// GET /version once, then every path is prefixed with the lower of the two versions.
    public func negotiatedVersion() async throws -> String {
        if let apiVersion { return apiVersion }
        let doing = "asking the engine for its version"
        let response = try await send(HTTPRequest(method: "GET", path: "/version"), doing: doing)
        // A passing 500 or 503 must not pin the fallback for the rest of a long watch.
        if response.status >= 500 { throw DockerClient.engineError(response, doing: doing) }
        let engine = JSONValue(answer: response.body)?["ApiVersion"]?.stringValue ?? "1.41"
        let chosen = DockerClient.lower(engine, DockerClient.maxAPIVersion)
        apiVersion = chosen
        return chosen
    }

    /// A versioned request; `doing` names the operation in any error ("creating container main-web-1").
    public func request(_ method: String, _ path: String, body: JSONValue? = nil, doing: String,
                        accept: Set<Int> = []) async throws -> HTTPResponse {
        let version = try await negotiatedVersion()
        let request = HTTPRequest(
            method: method, path: "/v\(version)\(path)",
            headers: body == nil ? [] : [("Content-Type", "application/json")],
            body: body.map { Array($0.serialized().utf8) })
        let response = try await send(request, doing: doing)
        if (200..<300).contains(response.status) || accept.contains(response.status) { return response }
        throw DockerClient.engineError(response, doing: doing)
    }

    private func send(_ request: HTTPRequest, doing: String) async throws -> HTTPResponse {
        do {
            return try await http.send(request)
        } catch {
            throw transportError(error, doing: doing)
        }
    }

    /// A request that never got an answer: unreachable (connect) or cut short, with what the
    /// transport said; transient failures are retried by the executor.
    nonisolated func transportError(_ error: HTTPError, doing: String) -> BerthError {
        BerthError(error.kind == .connect ? .engineUnreachable : .engineError, "\(doing) at \(endpoint)",
                   cause: error.detail, isRetryable: error.isTransient)
    }

    /// The engine's own "X": `{"message": X}`, or the body as text.
    static func engineError(_ response: HTTPResponse, doing: String) -> BerthError {
        let said = JSONValue(answer: response.body)?["message"]?.stringValue
            ?? response.bodyText.trimmingWhitespaceAndNewlines()
        let code: BerthError.Code = switch response.status {
        case 404: .notFound
        case 409: .conflict
        default: .engineError
        }
        return BerthError(code, doing, cause: "engine answered \(response.status): \(said)",
                          isRetryable: response.status >= 500, status: response.status)
    }

    static func lower(_ a: String, _ b: String) -> String {
        func parts(_ v: String) -> [Int] { v.split(separator: ".").map { Int($0) ?? 0 } }
        return parts(a).lexicographicallyPrecedes(parts(b)) ? a : b
    }
}
