import BerthEngine

/// What an accepted push webhook sets off. With a git source it fetches and then enqueues a
/// pass; with a specs folder there is nothing to fetch, so it is a full resync.
public protocol FetchTrigger: Sendable {
    /// Starts the fetch and returns at once; the webhook's answer does not wait for it.
    func fetchNow()
}

/// A full resync of the controller, as SIGHUP does: the trigger of a watch over a folder.
struct ResyncTrigger: FetchTrigger {
    let controller: Controller
    let log: @Sendable (String) -> Void

    func fetchNow() {
        log("webhook: full resync")
        Task { [controller] in await controller.enqueue(Controller.everything) }
    }
}
