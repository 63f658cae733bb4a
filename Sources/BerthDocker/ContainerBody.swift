import BerthJSON
import BerthModel

/// Spec -> Engine API create-container body. Portable fields first, the spec's native
/// `docker` fragment merged over them, berth's own labels last so nothing can remove them.
public enum ContainerBody {
    public static func make(spec: Spec, replica: Int, owner: String, configHash: String) -> JSONValue {
        var body: [String: JSONValue] = [
            "Image": .string(spec.image),
            "Hostname": .string("\(spec.name)-\(replica)"),
            "Env": .array(spec.env.keys.sorted().map { .string("\($0)=\(spec.env[$0]!)") }),
            "Labels": .object(spec.labels.mapValues { .string($0) }),
        ]
        if let command = spec.command { body["Cmd"] = .array(command.map { .string($0) }) }
        if let health = spec.health { body["Healthcheck"] = health.engineJSON }
        var host: [String: JSONValue] = [:]
        if !spec.ports.isEmpty {
            var exposed: [String: JSONValue] = [:]
            var bindings: [String: JSONValue] = [:]
            for port in spec.ports {
                let key = "\(port.containerPort)/\(port.proto)"
                exposed[key] = .object([:])
                let binding: JSONValue = .object(["HostIp": .string(port.hostIP ?? ""), "HostPort": .string(String(port.hostPort))])
                bindings[key] = .array((bindings[key]?.arrayValue ?? []) + [binding])
            }
            body["ExposedPorts"] = .object(exposed)
            host["PortBindings"] = .object(bindings)
        }
        if !spec.volumes.isEmpty { host["Binds"] = .array(spec.volumes.map { .string($0.description) }) }
        if let restart = spec.restart { host["RestartPolicy"] = .object(["Name": .string(restart.rawValue)]) }
        if !host.isEmpty { body["HostConfig"] = .object(host) }

        var merged = JSONValue.object(body)
        if let native = spec.docker { merged = merged.merging(native) }
        // The first of its networks at create (API 1.41 takes one), with the spec name as
        // its DNS alias; the others are joined before it starts. None when the native
        // fragment sets NetworkMode: that choice is the spec's.
        if let first = NetworkNames.wanted(spec).first {
            let network = NetworkNames.engineName(owner: owner, target: spec.target, network: first)
            merged = merged.merging(.object([
                "HostConfig": .object(["NetworkMode": .string(network)]),
                "NetworkingConfig": .object(["EndpointsConfig": .object([network: .object(["Aliases": .array([.string(spec.name)])])])]),
            ]))
        }
        return merged.merging(.object(["Labels": .object(ownLabels(spec: spec, replica: replica, owner: owner, configHash: configHash))]))
    }

    static func ownLabels(spec: Spec, replica: Int, owner: String, configHash: String) -> [String: JSONValue] {
        var labels: [String: JSONValue] = [
            Labels.owner: .string(owner),
            Labels.name: .string(spec.name),
            Labels.replica: .string(String(replica)),
            Labels.configHash: .string(configHash),
        ]
        if spec.removeImage { labels[Labels.removeImage] = .string("true") }
        if !spec.prune { labels[Labels.prune] = .string("false") }
        if !spec.target.isImplicit { labels[Labels.target] = .string(spec.target.rawValue) }
        return labels
    }
}

extension Labels {
    /// The Engine API label filter that finds what `owner` owns.
    static func ownerFilter(_ owner: String) -> JSONValue { .string("\(Labels.owner)=\(owner)") }
}
