/// Spec -> Swarm ServiceSpec (Engine API 1.41). Pure translation, so the planner can judge
/// drift by comparing what the engine holds with what berth would send.
public enum ServiceBody {
    /// OWNER-NAME; on a named target OWNER-TARGET-NAME (two targets may share a swarm).
    public static func name(owner: String, spec: SpecName, target: TargetName = .swarm) -> String {
        target.isImplicit ? "\(owner)-\(spec)" : "\(owner)-\(target)-\(spec)"
    }

    /// `image` is the spec's image pinned by ID or digest (`docker stack deploy` pins digests
    /// too): a tag alone never rolls tasks out when the image behind it changes.
    public static func make(spec: Spec, owner: String, configHash: String, image: String? = nil) -> JSONValue {
        var container: [String: JSONValue] = [
            "Image": .string(image ?? spec.image),
            "Env": .array(spec.env.keys.sorted().map { .string("\($0)=\(spec.env[$0]!)") }),
        ]
        if let command = spec.command { container["Args"] = .array(command.map { .string($0) }) }
        if let health = spec.health { container["Healthcheck"] = health.engineJSON }
        if !spec.labels.isEmpty { container["Labels"] = .object(spec.labels.mapValues { .string($0) }) }
        if !spec.volumes.isEmpty {
            container["Mounts"] = .array(spec.volumes.map { v in
                .object(["Type": .string(v.source.hasPrefix("/") ? "bind" : "volume"), "Source": .string(v.source),
                         "Target": .string(v.destination), "ReadOnly": .bool(v.readOnly)])
            })
        }
        var task: [String: JSONValue] = ["ContainerSpec": .object(container)]
        if let restart = spec.restart {
            let condition = switch restart {
            case .no: "none"
            case .onFailure: "on-failure"
            case .always, .unlessStopped: "any"
            }
            task["RestartPolicy"] = .object(["Condition": .string(condition)])
        }
        var body: [String: JSONValue] = [
            "Name": .string(name(owner: owner, spec: spec.name)),
            "Labels": .object(spec.labels.mapValues { .string($0) }),
            "TaskTemplate": .object(task),
            "Mode": spec.mode == .global
                ? .object(["Global": .object([:])])
                : .object(["Replicated": .object(["Replicas": .number(String(spec.replicas))])]),
        ]
        if let update = spec.update { body["UpdateConfig"] = update.json }
        if !spec.ports.isEmpty {
            body["EndpointSpec"] = .object(["Ports": .array(spec.ports.map { p in
                .object(["Protocol": .string(p.proto), "TargetPort": .number(String(p.containerPort)),
                         "PublishedPort": .number(String(p.hostPort)), "PublishMode": .string("ingress")])
            })])
        }
        var merged = JSONValue.object(body)
        if let native = spec.swarm { merged = merged.merging(native) }
        var own: [String: JSONValue] = [
            Labels.owner: .string(owner), Labels.name: .string(spec.name.rawValue), Labels.configHash: .string(configHash),
            Labels.image: .string(spec.image),
        ]
        if spec.mode != .global { own[Labels.replicas] = .string(String(spec.replicas)) }
        if spec.removeImage { own[Labels.removeImage] = .string("true") }
        if !spec.prune { own[Labels.prune] = .string("false") }
        if !spec.target.isImplicit { own[Labels.target] = .string(spec.target.rawValue) }
        return merged.merging(.object(["Labels": .object(own)]))
    }
}

/// What drifted: the engine's object projected onto the keys berth sends, compared with what
/// berth would send. Keys the engine adds (defaults) are not drift; keys berth sets are.
public enum NativeDrift {
    public static func changes(desired: JSONValue, observed: JSONValue?, mask: SecretMask = SecretMask()) -> [FieldChange] {
        var out: [FieldChange] = []
        walk(desired, observed, path: "", mask: mask, into: &out)
        return out.sorted { $0.path < $1.path }
    }

    private static func walk(_ desired: JSONValue, _ observed: JSONValue?, path: String, mask: SecretMask, into out: inout [FieldChange]) {
        if let object = desired.objectValue {
            let other = observed?.objectValue ?? [:]
            for (key, value) in object {
                walk(value, other[key], path: path.isEmpty ? key : path + "." + key, mask: mask, into: &out)
            }
            return
        }
        if path.hasSuffix("ContainerSpec.Env"), let wanted = desired.arrayValue {
            envChanges(wanted, observed?.arrayValue ?? [], path: path, mask: mask, into: &out)
            return
        }
        if desired == observed { return }
        if observed == nil, desired.arrayValue?.isEmpty == true || desired.objectValue?.isEmpty == true { return }
        func show(_ value: JSONValue) -> String { Secrets.maskingURLPasswords(value.canonicalText) { mask.fingerprint($0) } ?? value.canonicalText }
        out.append(FieldChange(path: path, old: observed.map(show), new: show(desired)))
    }

    /// Env is a list of "K=V"; compared as a map, and secret values shown only as changed.
    private static func envChanges(_ wanted: [JSONValue], _ found: [JSONValue], path: String, mask: SecretMask, into out: inout [FieldChange]) {
        func map(_ list: [JSONValue]) -> [String: String] {
            var m: [String: String] = [:]
            for item in list {
                guard let text = item.stringValue, let eq = text.firstIndex(of: "=") else { continue }
                m[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            return m
        }
        let want = map(wanted), have = map(found)
        for key in Set(want.keys).union(have.keys) where want[key] != have[key] {
            func show(_ v: String?) -> String? { v.map { JSONValue.string(mask.value(name: key, $0)).canonicalText } }
            out.append(FieldChange(path: "env." + key, old: show(have[key]), new: show(want[key])))
        }
    }
}

extension NativeDrift {
    /// Keys set on the service that berth does not send (a label or a placement constraint
    /// added by hand), as paths: shown in `status` as not berth's. Engine defaults (false, 0,
    /// empty values, `Isolation: default`, `Runtime: container`, `EndpointSpec.Mode: vip`) are
    /// left out.
    public static func unmanaged(desired: JSONValue, observed: JSONValue?) -> [String] {
        var out: [String] = []
        collect(desired, observed, path: "", into: &out)
        return out.sorted()
    }

    static let engineDefaults: [String: JSONValue] = [
        "TaskTemplate.ContainerSpec.Isolation": .string("default"), "TaskTemplate.Runtime": .string("container"),
        "EndpointSpec.Mode": .string("vip"),
    ]

    private static func collect(_ desired: JSONValue?, _ observed: JSONValue?, path: String, into out: inout [String]) {
        guard let object = observed?.objectValue else { return }
        let wanted = desired?.objectValue
        if desired != nil && wanted == nil { return }
        for (key, value) in object {
            let here = path.isEmpty ? key : path + "." + key
            if let mine = wanted?[key] {
                if mine.objectValue != nil { collect(mine, value, path: here, into: &out) }
                continue
            }
            if value.objectValue != nil { collect(nil, value, path: here, into: &out); continue }
            let trivial: Bool = switch value {
            case .null, .bool(false): true
            case .number(let n): n == "0"
            case .string(let t): t.isEmpty || engineDefaults[here] == value
            case .array(let a): a.isEmpty
            default: false
            }
            if !trivial { out.append(here) }
        }
    }
}
