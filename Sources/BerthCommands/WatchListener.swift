import BerthHTTP
import BerthJournal
import BerthModel

/// The listener options of `berth watch`: --listen, --listen-public and the webhook secret.
struct WatchListenerOptions {
    var address: ListenAddress
    var secret: [UInt8]?

    /// nil without --listen; usage errors for options that need it or an address that is
    /// not loopback without --listen-public.
    static func parse(_ arguments: Arguments) throws -> WatchListenerOptions? {
        let secret = try WebhookCheck.secret(value: arguments.values["webhook-secret"], file: arguments.values["webhook-secret-file"])
        guard let text = arguments.values["listen"] else {
            for option in ["listen-public", "webhook-secret", "webhook-secret-file"] where arguments.given.contains(option) {
                throw BerthError(.usage, "--\(option) needs --listen ADDRESS")
            }
            return nil
        }
        let address: ListenAddress
        do { address = try ListenAddress(parsing: text) } catch { throw BerthError(.usage, error.description) }
        if !address.isLoopback && !arguments.flags.contains("listen-public") {
            throw BerthError(.usage, "--listen \(text) is not a loopback address: the listener has no TLS and /status shows the deployment; "
                + "bind 127.0.0.1 or [::1] (put a TLS proxy in front), or add --listen-public to bind it anyway")
        }
        return WatchListenerOptions(address: address, secret: secret)
    }

    /// Binds the listener and logs where: `berth watch: listening on http://127.0.0.1:9180`.
    func start(owner: String, health: WatchHealth, trigger: any FetchTrigger, metrics: (@Sendable () -> String)?,
               journal: Journal, log: @escaping @Sendable (String) -> Void) throws(HTTPListenerError) -> HTTPListener {
        let routes = WatchRoutes(owner: owner, health: health, secret: secret, trigger: trigger, metrics: metrics, log: log,
                                 journal: { record in Task { _ = try? await journal.append(record) } })
        let listener = try HTTPListener(address: address, handler: routes.answer)
        log("berth watch: listening on \(listener.address)")
        return listener
    }
}
