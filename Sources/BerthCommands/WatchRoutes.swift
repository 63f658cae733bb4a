import BerthHTTP
import BerthJournal

/// What `berth watch --listen` answers. Handlers run on the listener's connection threads:
/// they only read `WatchHealth` and start the trigger, never wait on the controller.
struct WatchRoutes: Sendable {
    /// Path and the methods it answers. Unknown paths are 404, other methods 405 with Allow.
    static let table: [(path: String, methods: [String])] = [
        ("/healthz", ["GET"]),
        ("/readyz", ["GET"]),
        ("/status", ["GET"]),
        // GET /metrics: Prometheus text from `metrics`, the closure the watch is given.
        ("/metrics", ["GET"]),
        ("/hooks/git", ["POST"]),
    ]

    let owner: String
    let health: WatchHealth
    /// The webhook secret; nil answers /hooks/git with 404.
    let secret: [UInt8]?
    let trigger: any FetchTrigger
    /// Renders GET /metrics; nil answers 404.
    let metrics: (@Sendable () -> String)?
    let log: @Sendable (String) -> Void
    let journal: @Sendable (JournalRecord) -> Void

    func answer(_ request: ServerRequest) -> ServerResponse {
        guard let route = WatchRoutes.table.first(where: { $0.path == request.path }) else {
            return .text(404, "no such path \(request.path); berth serves " + WatchRoutes.table.map(\.path).joined(separator: ", "))
        }
        guard route.methods.contains(request.method) else {
            let allowed = route.methods.joined(separator: ", ")
            return .text(405, "\(request.path) answers \(allowed) only", headers: ["Allow": allowed])
        }
        switch route.path {
        case "/healthz":
            return .text(200, "ok")
        case "/readyz":
            return health.notReadyReason.map { .text(503, $0) } ?? .text(200, "ready")
        case "/status":
            guard let report = health.latest, let json = try? StatusCommand.json(report) else {
                return .text(503, "no status yet: the first pass has not finished")
            }
            return ServerResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array((json + "\n").utf8))
        case "/metrics":
            guard let metrics else { return .text(404, "metrics are not served by this berth") }
            return ServerResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                                  body: Array(metrics().utf8))
        default:
            return hook(request)
        }
    }

    /// POST /hooks/git: a push webhook, checked by its signature or token before anything happens.
    private func hook(_ request: ServerRequest) -> ServerResponse {
        guard let secret else {
            return .text(404, "webhooks are off: start berth watch with --webhook-secret or --webhook-secret-file to accept them")
        }
        switch WebhookCheck.verify(request, secret: secret) {
        case .refused(let style, let why):
            let line = "webhook refused (401) from \(request.remote), \(style) style: \(why)"
            log(line)
            journal(JournalRecord(event: "webhook-refused", owner: owner, error: line))
            return .text(401, "webhook refused: \(why)")
        case .accepted(let style):
            // GitHub's ping when a webhook is set up: the secret is right, there is nothing to fetch.
            if request.header("X-GitHub-Event") == "ping" {
                log("webhook ping accepted from \(request.remote), \(style) style")
                return .text(200, "pong: the webhook secret matches")
            }
            let line = "webhook accepted from \(request.remote), \(style) style: fetching now"
            log(line)
            journal(JournalRecord(event: "webhook", owner: owner, message: line))
            trigger.fetchNow()
            return .text(202, "accepted: fetching now")
        }
    }
}
