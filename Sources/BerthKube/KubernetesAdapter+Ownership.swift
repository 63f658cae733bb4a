import BerthEngine
import BerthJSON
import BerthModel

/// Never take over what is not berth's. The lists see only objects with the owner label, so
/// an object a spec names that exists without it (someone else's Namespace, kube-system's
/// coredns) would look missing and be applied over with `force=true`. The objects the lists
/// did not find are read by name, so the planner sees them (an error, or `~ adopt` when the
/// spec says so), and every create looks once more just before it applies.
extension KubernetesAdapter {
    /// The desired objects the lists did not find that exist all the same, read by name in
    /// parallel. Only missing objects are read: a converged folder costs no request.
    func unlisted(desired: DesiredState, owner: String, found: [ObservedResource]) async throws -> [ObservedResource] {
        let known = await discovery.known()
        let seen = Set(found.compactMap { $0.kubeObject?.identity })
        var missing: [KubeObjectID] = []
        for spec in desired.specs where spec.target == target {
            let objects = KubeObjects.make(spec: spec, owner: owner, defaultNamespace: defaultNamespace,
                                           isNamespaced: { known[$0 + "/" + $1] })
            missing += objects.map(\.id).filter { !seen.contains($0.identity) }
        }
        return try await withThrowingTaskGroup(of: ObservedResource?.self) { group in
            var pending = Set(missing).sorted().makeIterator()
            func next() {
                guard let id = pending.next() else { return }
                group.addTask { try await self.read(id) }
            }
            for _ in 0..<KubernetesAdapter.dryRunParallelism { next() }
            var out: [ObservedResource] = []
            for try await resource in group {
                if let resource { out.append(resource) }
                next()
            }
            return out
        }
    }

    /// The object as the server holds it, nil when it does not exist (or its kind is not served).
    func read(_ id: KubeObjectID) async throws -> ObservedResource? {
        guard let type = try await discovery.type(apiVersion: id.apiVersion, kind: id.kind) else { return nil }
        let (status, body) = try await client.request(
            "GET", type.objectPath(namespace: id.namespace, name: id.name), doing: "reading \(id)", accept: [404])
        guard status != 404, let body else { return nil }
        return ObservedResource.kubernetes(object: body, apiVersion: type.apiVersion, kind: type.kind, target: target)
    }

    /// Before a create: the object must not exist, or be this owner's (an earlier attempt's).
    /// The plan saw it missing, but someone may have made it since. One being deleted (a
    /// terminating namespace) is waited for: applying to it would only update the doomed object.
    func prepareCreate(_ id: KubeObjectID, owner: String, doing: String) async throws {
        guard let existing = try await read(id) else { return }
        if existing.state == .removing {
            try await waitUntilGone(id, doing: doing)
            return
        }
        guard existing.kubeOwner != owner else {
            // Ours, yet planned as a create: its namespace is being deleted. A write to it would
            // be accepted and then deleted with the namespace; wait for that to finish.
            if let namespace = id.namespace {
                try await waitUntilGone(KubeObjectID(apiVersion: "v1", kind: "Namespace", namespace: nil, name: namespace), doing: doing)
            }
            return
        }
        throw BerthError(.conflict, doing, cause: "\(id) already exists and is not berth's (\(existing.kubeHolder)); "
                         + "berth leaves it alone: rename the object, or set \"adopt\": true in its spec to take it over")
    }

    /// Waits, within `terminationWait`, until an object being deleted is gone.
    func waitUntilGone(_ id: KubeObjectID, doing: String) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + KubernetesAdapter.terminationWait
        var noted = false
        while let existing = try await read(id), existing.state == .removing {
            if !noted {
                ActionNotes.add("\(id) was being deleted: waited for it to be gone before making it again")
                noted = true
            }
            guard clock.now < deadline else {
                throw BerthError(.conflict, doing, cause: "\(id) is still being deleted after \(KubernetesAdapter.terminationWait.components.seconds) s "
                                 + "(finalizers not done?); berth makes it again once it is gone: apply again then")
            }
            try await Task.sleep(for: KubernetesAdapter.terminationPoll)
        }
    }
}
