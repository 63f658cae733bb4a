import BerthModel

/// A target away for long (a cluster restarting) recovers as soon as it answers: the key's
/// backoff may have grown to minutes by then, so its platform is probed cheaply meanwhile.
extension Controller {
    /// Starts probing `target` unless a probe runs already or its platform cannot be probed.
    func probe(_ target: TargetName) {
        guard !probing.contains(target),
              let platform = platforms.first(where: { $0.target == target }) as? any ReachabilityProbe else { return }
        probing.insert(target)
        Task { [weak self] in
            let back = await platform.waitUntilReachable()
            await self?.probeEnded(target, back: back)
        }
    }

    func probeEnded(_ target: TargetName, back: Bool) async {
        probing.remove(target)
        guard back else { return }
        log("\(target) answers again: reconciling everything now")
        // The backoff was for an unreachable target, not for a failing object.
        await queue.forget(Controller.everything)
        await queue.add(Controller.everything)
    }
}
