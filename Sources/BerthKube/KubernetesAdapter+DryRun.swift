import BerthJSON
import BerthModel

/// `plan` asks the server what it would say (server-side apply with `dryRun=All`) about each
/// object to be created, changed or adopted, so an unknown kind or apiVersion, a schema
/// error or an admission refusal is a plan error, not a create that fails at apply.
extension KubernetesAdapter {
    /// How many dry runs (and reads of unlisted objects) are in flight at once.
    static let dryRunParallelism = 8

    /// The plan with the server's refusals as errors (those actions left out) and the objects
    /// that cannot be checked yet marked: a dry run cannot see a namespace or a
    /// CustomResourceDefinition that the same plan creates (the server answers 404).
    public func dryRun(_ plan: Plan) async -> Plan {
        let checked = plan.actions.enumerated().filter { [.create, .update, .adopt].contains($0.element.op) && $0.element.key.target == target }
        let creating = Creating(plan)
        var verdicts: [Int: Verdict] = [:]
        await withTaskGroup(of: (Int, Verdict).self) { group in
            var pending = checked.makeIterator()
            func next() {
                guard let (index, action) = pending.next() else { return }
                group.addTask { (index, await self.dryRun(action, creating: creating)) }
            }
            for _ in 0..<KubernetesAdapter.dryRunParallelism { next() }
            for await (index, verdict) in group {
                verdicts[index] = verdict
                next()
            }
        }
        var out = plan
        out.actions = []
        for (index, action) in plan.actions.enumerated() {
            switch verdicts[index] {
            case .refused(let message)?:
                out.errors.append(KubernetesAdapter.specError(for: action, message: message))
            case .laterBecause(let why)?:
                var marked = action
                marked.reason += " (checked at apply: \(why))"
                out.actions.append(marked)
            case .unchecked(let why)?:
                out.notes.append("\(action.key.object?.description ?? action.key.description) was not checked by the server: \(why)")
                out.actions.append(action)
            case .accepted?, nil:
                out.actions.append(action)
            }
        }
        return out
    }

    enum Verdict: Sendable {
        case accepted
        case refused(String)
        case laterBecause(String)
        case unchecked(String)
    }

    /// Namespaces and custom kinds the plan itself creates.
    struct Creating: Sendable {
        var namespaces: Set<String> = []
        /// "group/Kind" of every CustomResourceDefinition in the plan.
        var kinds: Set<String> = []

        init(_ plan: Plan) {
            for action in plan.actions where action.op != .delete {
                guard let id = action.key.object else { continue }
                if id.kind == "Namespace" && id.group == "" { namespaces.insert(id.name) }
                if id.kind == "CustomResourceDefinition", let spec = action.native?["spec"],
                   let group = spec["group"]?.stringValue, let kind = spec["names"]?["kind"]?.stringValue {
                    kinds.insert(group + "/" + kind)
                }
            }
        }
    }

    func dryRun(_ action: Action, creating: Creating) async -> Verdict {
        guard let object = action.native, let id = action.key.object else { return .accepted }
        do {
            guard let type = try await discovery.type(apiVersion: id.apiVersion, kind: id.kind) else {
                if creating.kinds.contains(id.group + "/" + id.kind) {
                    return .laterBecause("its CustomResourceDefinition is created by this plan")
                }
                return .refused("the API server does not serve kind \(id.kind) in \(id.apiVersion): check apiVersion and kind "
                                + "(kubectl api-resources lists what it serves)")
            }
            if let namespace = id.namespace, type.namespaced, creating.namespaces.contains(namespace) {
                return .laterBecause("namespace \(namespace) is created by this plan")
            }
            let path = type.objectPath(namespace: id.namespace, name: id.name) + "?fieldManager=berth&force=true&dryRun=All"
            let (status, body) = try await client.request("PATCH", path, body: object, contentType: "application/apply-patch+yaml",
                                                          doing: "checking \(id) with a server-side dry run", accept: [404])
            guard status == 404 else { return .accepted }
            if body?["details"]?["kind"]?.stringValue == "namespaces" {
                return .refused("namespace \(id.namespace ?? "") does not exist, and no spec creates it")
            }
            return .refused("the API server does not serve kind \(id.kind) in \(id.apiVersion): check apiVersion and kind")
        } catch let error as BerthError where !error.isRetryable && error.status != nil {
            return .refused("the API server refused it in a dry run: \(error.cause ?? error.message)")
        } catch {
            return .unchecked("\(error)")
        }
    }

    /// An error at the object's place in its spec file: the manifest, else the spec.
    static func specError(for action: Action, message: String) -> SpecError {
        let id = action.key.object
        guard let spec = action.spec else {
            return SpecError(file: "?", path: .root, position: JSONPosition(line: 1, column: 1), message: "\(action.key.object?.description ?? ""): \(message)")
        }
        let manifest = spec.manifests.first { $0.apiVersion == id?.apiVersion && $0.kind == id?.kind && $0.name == id?.name }
        return SpecError(file: spec.origin.file, path: manifest?.path ?? spec.origin.path,
                         position: manifest?.position ?? spec.origin.position, message: "\(id?.description ?? ""): \(message)")
    }
}
