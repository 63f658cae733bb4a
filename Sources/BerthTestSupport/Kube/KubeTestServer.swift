import BerthHTTP
import BerthJSON
import Foundation

/// A fake Kubernetes API server for berth's tests, answering like kube-apiserver v1.28
/// (recorded transcripts in Tests/BerthKubeTestServerTests/Transcripts): discovery, list
/// and watch, get, create, update, server-side apply with field managers, merge patch,
/// delete, bearer-token auth, and Status errors with the real codes, reasons and messages.
///
/// There is no controller-manager: tests play its part with `setDeploymentStatus`, `scale`
/// and the like, and see what the client sent in `requests`.
///
///     let kube = try KubeTestServer(token: "t0ken")
///     try kube.start()
///     defer { kube.stop() }
///     let client = HTTPClient(endpoint: kube.endpoint)   // send "Authorization: Bearer t0ken"
public final class KubeTestServer: Sendable {
    /// The bearer token requests must carry (unless `requireToken` is false).
    public let token: String
    /// Served over TLS with this identity when set (`url` is then https://).
    public let tls: TLSServerIdentity?
    /// Whether requests without the token are refused (403 anonymous, 401 wrong token).
    public let requireToken: Bool
    let store: KubeStore
    let bookmarkInterval: Duration
    let failures = HTTPTestLocked<[KubeInjection<HTTPServerReply>]>([])
    let actions = HTTPTestLocked<[KubeInjection<@Sendable () -> Void>]>([])
    let log = HTTPTestLocked<[KubeRecordedRequest]>([])
    /// Set by `setReady(false)`: the health endpoints fail.
    let unready = HTTPTestLocked(false)
    private let http = HTTPTestLocked<UnixHTTPTestServer?>(nil)

    /// Creates a server with namespaces `default`, `kube-system` and `kube-public`.
    ///
    /// - Parameters:
    ///   - checksNamespaces: writes into a missing namespace get 404 and into a terminating one 403, as on a real cluster.
    ///   - finalizationDelay: how long a deleted namespace stays Terminating, and a Foreground-deleted object keeps
    ///     its deletionTimestamp, before it goes away (`finishPendingDeletions()` ends them at once).
    ///   - bookmarkInterval: how often a watch that allows bookmarks gets one (and one at its end).
    ///   - establishDelay: how long a written CustomResourceDefinition takes before its kinds are served,
    ///     as a real server serves them once the definition is established; nil holds them until
    ///     `establishCustomResources()`, so a test can say when.
    public init(token: String = "berth-test-token", requireToken: Bool = true, checksNamespaces: Bool = true,
                finalizationDelay: Duration = .seconds(1), bookmarkInterval: Duration = .seconds(1),
                establishDelay: Duration? = .milliseconds(300), tls: TLSServerIdentity? = nil) {
        self.tls = tls
        self.token = token
        self.requireToken = requireToken
        self.bookmarkInterval = bookmarkInterval
        store = KubeStore(checksNamespaces: checksNamespaces, finalizationDelay: finalizationDelay, establishDelay: establishDelay)
    }

    deinit {
        stop()
    }

    /// Starts listening on 127.0.0.1 on a port the kernel picks.
    public func start() throws {
        let server = try UnixHTTPTestServer(tcp: true, tls: tls) { [weak self] request in
            guard let self else { return .text("server gone", status: 503) }
            return self.handle(request)
        }
        try server.start()
        http.withLock { $0 = server }
    }

    /// Stops the server, ending open watches.
    public func stop() {
        store.closeAllWatches()
        http.withLock { $0?.stop() }
    }

    /// The TCP endpoint to give `HTTPClient`; nil before `start()`.
    public var endpoint: HTTPEndpoint { http.withLock { $0?.tcpEndpoint } ?? .tcp(host: "127.0.0.1", port: 0) }

    /// `http://127.0.0.1:PORT`, as a kubeconfig's `server`.
    public var url: String {
        if case .tcp(let host, let port) = endpoint { return (tls == nil ? "http" : "https") + "://\(host):\(port)" }
        return "http://127.0.0.1:0"
    }

    /// Every request received so far, in order (the auth header's value left out).
    public var requests: [KubeRecordedRequest] { log.withLock { $0 } }

    /// Watches being served right now (a client that went away is no longer counted).
    public var openWatchCount: Int { store.withLock { $0.state.watchers.count } }

    /// The current global resourceVersion.
    public var resourceVersion: String { store.currentResourceVersion }

    /// Makes a custom resource kind servable (list, watch, get, create, apply, ... and discovery).
    @discardableResult
    public func registerCustomResource(group: String, version: String, kind: String, plural: String,
                                       namespaced: Bool) -> KubeResourceKind {
        let resource = KubeResourceKind(group: group, version: version, kind: kind, plural: plural, namespaced: namespaced)
        store.withLock { $0.state.kinds.append(resource) }
        return resource
    }

    /// The kind served at group/version/plural, built-in or registered.
    public func kind(group: String, version: String, plural: String) -> KubeResourceKind? {
        store.withLock { $0.kind(group: group, version: version, plural: plural) }
    }

    /// Answers the next `times` requests whose method matches (nil: any) and whose path
    /// contains `pathContains` with `status` and `body` (a JSON text) instead of serving them.
    public func failNext(method: String? = nil, pathContains: String, status: Int, body: String, times: Int = 1) {
        failNext(method: method, pathContains: pathContains, reply: .json(body, status: status), times: times)
    }

    /// Answers the next `times` matching requests with `reply`: a cut-off response, a stall,
    /// a reset connection... (see `HTTPServerReply`), e.g. to test a client's retries.
    public func failNext(method: String? = nil, pathContains: String, reply: HTTPServerReply, times: Int = 1) {
        failures.withLock { $0.append(KubeInjection(method: method, pathContains: pathContains, payload: reply, remaining: times)) }
    }

    /// Runs `action` when the next `times` matching requests arrive, just before they are
    /// served: another client's write, or a compaction, between two of a client's requests.
    public func beforeNext(method: String? = nil, pathContains: String, times: Int = 1, _ action: @escaping @Sendable () -> Void) {
        actions.withLock { $0.append(KubeInjection(method: method, pathContains: pathContains, payload: action, remaining: times)) }
    }

    /// Serves now the kinds of every CustomResourceDefinition written so far.
    public func establishCustomResources() {
        store.withLock { $0.establishDueKinds(all: true) }
    }

    /// Forgets the change history: watches from any resourceVersion before now get 410
    /// Expired, and so do the continue tokens of lists begun before the last write.
    public func compact() {
        store.withLock { $0.compactLocked() }
    }

    /// Ends every open watch now, as an API server closing streams would.
    public func closeWatches() {
        store.closeAllWatches()
    }

    /// Finishes terminating namespaces (and what they hold) and Foreground deletions at once.
    public func finishPendingDeletions() {
        store.withLock { $0.finishDueFinalizations(force: true) }
    }
}

/// A request as the Kubernetes test server saw it, for asserting what a client sent.
public struct KubeRecordedRequest: Sendable {
    /// The method, e.g. "PATCH".
    public var method: String
    /// The path with its query, as sent.
    public var path: String
    /// The Content-Type header, if any.
    public var contentType: String?
    /// The body parsed as JSON, if it was JSON.
    public var body: JSONValue?
    /// The raw body text.
    public var bodyText: String
}

/// What to do with the next requests that match: a canned answer (`failNext`) or an
/// action run first (`beforeNext`).
struct KubeInjection<Payload: Sendable>: Sendable {
    var method: String?
    var pathContains: String
    var payload: Payload
    var remaining: Int

    func matches(_ request: HTTPServerRequest) -> Bool {
        (method == nil || method == request.method) && request.path.contains(pathContains)
    }

    /// Takes the first entry that matches `request`, counting it down.
    static func take(from list: inout [KubeInjection], for request: HTTPServerRequest) -> Payload? {
        guard let index = list.firstIndex(where: { $0.matches(request) }) else { return nil }
        let payload = list[index].payload
        list[index].remaining -= 1
        if list[index].remaining <= 0 { list.remove(at: index) }
        return payload
    }
}

/// Why an out-of-band change made by a test could not be done: the server's own Status.
public struct KubeTestServerError: Error, CustomStringConvertible {
    /// The HTTP status the API would have answered.
    public var code: Int
    /// The Status body.
    public var status: JSONValue
    /// The Status message.
    public var description: String { status["message"]?.stringValue ?? "HTTP \(code)" }

    init(_ status: KubeStatus) {
        code = status.code
        self.status = status.body
    }
}
