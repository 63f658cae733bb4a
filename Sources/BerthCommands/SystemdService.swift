import BerthEngine
import BerthModel
import BerthSystem
import Synchronization

/// berth under systemd's `Type=notify` (contrib/berth.service): READY=1 once the first full
/// pass has ended (whatever it found: status and the log tell), a STATUS= line when a full
/// pass's result changes, WATCHDOG=1 while the controller answers, STOPPING=1 on the way out.
final class SystemdService: ControllerObserver {
    let notify: SystemdNotify
    private let state = Mutex<(ready: Bool, status: String)>((false, ""))
    private let watchdog = Mutex<Task<Void, Never>?>(nil)

    init(notify: SystemdNotify) { self.notify = notify }

    func passFinished(_ pass: PassSummary) {
        let status = "STATUS=" + (pass.converged ? "converged" : pass.errors.isEmpty ? "reconciling"
            : "\(pass.errors.count) problem\(pass.errors.count == 1 ? "" : "s"): \(Printable.oneLine(pass.errors[0]))")
        // READY once the first full pass (observe and plan everything) has ended; STATUS
        // whenever the overall state changes, after any pass.
        let (first, changed) = state.withLock { state -> (Bool, Bool) in
            let first = !state.ready && pass.key == Controller.everything
            let changed = state.status != status
            if first { state.ready = true }
            state.status = status
            return (first, changed && state.ready)
        }
        if first { notify.send("READY=1\n" + status) } else if changed { notify.send(status) }
    }

    /// Pings at half of `WatchdogSec`, each time after the controller actor has answered, so a
    /// wedged controller stops the pings and systemd restarts berth.
    func startWatchdog(_ controller: Controller) {
        guard let every = notify.pingEvery else { return }
        let task = Task { [notify] in
            while !Task.isCancelled {
                _ = await controller.isContacted(TargetName(Controller.everything))
                notify.send("WATCHDOG=1")
                try? await Task.sleep(for: every)
            }
        }
        watchdog.withLock { $0 = task }
    }

    func stopping() { notify.send("STOPPING=1") }

    func stop() { watchdog.withLock { $0.take() }?.cancel() }
}
