import BerthEngine
import BerthSystem

/// What `watch` attaches to its controller besides status.json: metrics for `GET /metrics`,
/// with `--notify` the notifier and its sender, and under systemd (`$NOTIFY_SOCKET`) the
/// readiness and watchdog messages; and the release of memory once it is idle.
struct WatchObservers {
    let metrics: WatchMetrics
    let idle: IdleRelease
    var notifications: NotificationQueue?
    var sender: Task<Void, Never>?
    var systemd: SystemdService?

    /// `revision` names the revision in force (nil when the specs are a plain folder).
    static func attach(to controller: Controller, owner: String, notify: NotifyReceiver?,
                       revision: @escaping @Sendable () -> String?, log: @escaping @Sendable (String) -> Void) async -> WatchObservers {
        let metrics = WatchMetrics(revision: revision)
        await controller.addObserver(metrics)
        let idle = IdleRelease()
        await controller.addObserver(idle)
        var observers = WatchObservers(metrics: metrics, idle: idle)
        if let systemd = SystemdNotify().map(SystemdService.init) {
            await controller.addObserver(systemd)
            systemd.startWatchdog(controller)
            observers.systemd = systemd
        }
        guard let notify else { return observers }
        let queue = NotificationQueue(receiver: notify.masked, log: log, post: { try await notify.post($0) })
        await controller.addObserver(WatchNotifier(owner: owner, revision: revision, send: { queue.enqueue($0) }))
        observers.notifications = queue
        observers.sender = Task { await queue.run() }
        return observers
    }

    /// berth begins to stop (a signal came): systemd hears STOPPING=1 at once, while work in
    /// flight finishes.
    func stopping() { systemd?.stopping() }

    /// Stops the sender: berth is stopping and does not wait for a slow receiver.
    func stop() {
        idle.stop()
        notifications?.finish()
        sender?.cancel()
        systemd?.stop()
    }
}
