import BerthJSON

/// One host address and port range a spec publishes on its engine, with where it was written,
/// so that two specs wanting the same port are told apart before either starts.
public struct HostBinding: Sendable, Equatable {
    /// The host address; nil for every address (0.0.0.0, "::", or none given).
    public var address: String?
    public var low: Int
    public var high: Int
    public var proto: String
    public var path: JSONPath
    public var position: JSONPosition

    /// "127.0.0.1:18190/tcp", "0.0.0.0:8000-8010/udp".
    public var description: String {
        (address ?? "0.0.0.0") + ":" + (low == high ? "\(low)" : "\(low)-\(high)") + "/" + proto
    }

    /// Whether the engine could bind both: different protocols, ports or addresses. Every
    /// address (0.0.0.0) takes the port on all of them.
    func overlaps(_ other: HostBinding) -> Bool {
        proto == other.proto && low <= other.high && other.low <= high
            && (address == nil || other.address == nil || address == other.address)
    }

    static func address(_ text: String?) -> String? {
        guard let text, !text.isEmpty, text != "0.0.0.0", text != "::" else { return nil }
        return text
    }

    /// "8080" or "8000-8010" -> the range; nil for "" (the engine picks a free port) or garbage.
    static func range(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, let low = Int(parts[0]), let high = parts.count == 2 ? Int(parts[1]) : low,
              low >= 1, high <= 65535, low <= high else { return nil }
        return (low, high)
    }
}

extension FieldReader {
    /// The host ports a valid spec publishes: `ports`, and on `docker` the fragment's
    /// HostConfig.PortBindings, on `swarm` its EndpointSpec.Ports (Swarm publishes on every
    /// address). A fixed host port cannot be bound by two replicas of one container.
    mutating func hostBindings(_ byKey: [String: JSONNode], _ path: JSONPath, platform: PlatformID, ports: [PortMapping], replicas: Int) -> [HostBinding] {
        guard platform == .docker || platform == .swarm else { return [] }
        var out: [HostBinding] = []
        for (i, port) in ports.enumerated() {
            guard let node = byKey["ports"]?.elements?[i] else { continue }
            out.append(HostBinding(address: platform == .swarm ? nil : HostBinding.address(port.hostIP), low: port.hostPort, high: port.hostPort,
                                   proto: port.proto, path: path.appending(key: "ports").appending(index: i), position: node.position))
        }
        if platform == .docker, let bindings = byKey["docker"]?.member("HostConfig")?.value.member("PortBindings")?.value.members {
            let base = path.appending(key: "docker").appending(key: "HostConfig").appending(key: "PortBindings")
            for binding in bindings {
                let proto = binding.key.split(separator: "/").dropFirst().first.map(String.init) ?? "tcp"
                for (i, item) in (binding.value.elements ?? []).enumerated() {
                    guard let portNode = item.member("HostPort")?.value, let text = portNode.stringValue,
                          let (low, high) = HostBinding.range(text) else { continue }
                    let itemPath = base.appending(key: binding.key).appending(index: i).appending(key: "HostPort")
                    if low == high && replicas > 1 {
                        fail(portNode, itemPath, "host port \(low) cannot be bound by \(replicas) replicas at once; use one replica per host port")
                    }
                    out.append(HostBinding(address: HostBinding.address(item.member("HostIp")?.value.stringValue), low: low, high: high,
                                           proto: proto, path: itemPath, position: portNode.position))
                }
            }
        }
        if platform == .swarm, let published = byKey["swarm"]?.member("EndpointSpec")?.value.member("Ports")?.value.elements {
            let base = path.appending(key: "swarm").appending(key: "EndpointSpec").appending(key: "Ports")
            for (i, item) in published.enumerated() {
                guard let portNode = item.member("PublishedPort")?.value, case .number(let text) = portNode.kind,
                      let port = Int(text), port >= 1, port <= 65535 else { continue }
                out.append(HostBinding(address: nil, low: port, high: port, proto: item.member("Protocol")?.value.stringValue ?? "tcp",
                                       path: base.appending(index: i).appending(key: "PublishedPort"), position: portNode.position))
            }
        }
        return out
    }
}
