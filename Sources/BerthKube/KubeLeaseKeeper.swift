import BerthModel
import FoundationEssentials
import Glibc

/// One berth per owner on a cluster: the coordination.k8s.io Lease named after the owner (in
/// the context's namespace) is taken before berth first changes anything there, renewed every
/// 20 s while it runs (it lasts 60 s), and given back when berth stops. Another berth's live
/// Lease is a refusal naming its holder; one whose holder died is taken over once it expired.
actor KubeLeaseKeeper {
    static let duration: Duration = .seconds(60)
    static let renewEvery: Duration = .seconds(20)

    let holder = "\(ProcessInfo.processInfo.hostName)/\(getpid())"
    private var handle: KubeLeaseHandle?
    private var lost: (any Error)?
    private var renewing: Task<Void, Never>?
    /// An acquire under way: workers act side by side, and one that calls `ensure` meanwhile
    /// must wait for it, not take the Lease a second time (two renew loops would then race).
    private var acquiring: Task<KubeLeaseHandle, any Error>?

    /// Holds the Lease from here on, or throws why not (`.locked`, naming the holder).
    func ensure(owner: String, adapter: KubernetesAdapter) async throws {
        if let lost { throw lost }
        if handle != nil { return }
        if let acquiring {
            _ = try await acquiring.value
            return
        }
        let lease = adapter.lease, holder = self.holder
        let acquire = Task { try await lease.acquire(owner: owner, holder: holder, duration: Self.duration) }
        acquiring = acquire
        defer { acquiring = nil }
        handle = try await acquire.value
        renewing = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.renewEvery)
                guard !Task.isCancelled else { return }
                await self?.renew()
            }
        }
    }

    /// A cluster that does not answer is tried again at the next turn (the Lease still has
    /// 40 s); a Lease someone else took means this berth must stop changing the cluster.
    private func renew() async {
        guard let handle else { return }
        do { try await handle.renew() } catch let error as BerthError where error.code == .locked {
            lost = error
            self.handle = nil
            renewing?.cancel()
        } catch {}
    }

    func release() async {
        // A renew already on the wire would otherwise land after the release and hold the
        // Lease for another 60 s: wait for it before giving the Lease back.
        renewing?.cancel()
        await renewing?.value
        renewing = nil
        try? await handle?.release()
        handle = nil
    }
}
