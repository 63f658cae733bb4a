import BerthEngine

/// What `watch` attaches to its controller besides status.json: metrics for `GET /metrics`,
/// and with `--notify` the notifier and its sender.
struct WatchObservers {
    let metrics: WatchMetrics
    let notifications: NotificationQueue?
    let sender: Task<Void, Never>?

    /// `revision` names the revision in force (nil when the specs are a plain folder).
    static func attach(to controller: Controller, owner: String, notify: NotifyReceiver?,
                       revision: @escaping @Sendable () -> String?, log: @escaping @Sendable (String) -> Void) async -> WatchObservers {
        let metrics = WatchMetrics(revision: revision)
        await controller.addObserver(metrics)
        guard let notify else { return WatchObservers(metrics: metrics, notifications: nil, sender: nil) }
        let queue = NotificationQueue(receiver: notify.masked, log: log, post: { try await notify.post($0) })
        await controller.addObserver(WatchNotifier(owner: owner, revision: revision, send: { queue.enqueue($0) }))
        let sender = Task { await queue.run() }
        return WatchObservers(metrics: metrics, notifications: queue, sender: sender)
    }

    /// Stops the sender: berth is stopping and does not wait for a slow receiver.
    func stop() {
        notifications?.finish()
        sender?.cancel()
    }
}
