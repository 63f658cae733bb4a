/// The networks berth makes on an engine target: the owner's own (`default`), which every
/// container (service) joins with its spec name as DNS alias, as Compose gives a project
/// one, and those specs name (`"networks": ["backend"]`).
public enum NetworkNames {
    /// The owner's own network, by its name in specs.
    public static let ownerNetwork = "default"
    /// `berth.kind=network`: what tells a network berth made from anything else it labels.
    public static let kindLabel = "berth.kind"
    public static let kind = "network"
    public static let maxNameLength = 53

    /// The engine's name: `OWNER-NAME` on the implicit docker target, `OWNER-TARGET-NAME`
    /// elsewhere (`main-swarm-default`, `main-edge-1-backend`), so that a target's networks,
    /// Swarm's overlays and containers' bridges never share a name on one engine.
    public static func engineName(owner: String, target: TargetName, network: String) -> String {
        target == .docker ? "\(owner)-\(network)" : "\(owner)-\(target)-\(network)"
    }

    /// The networks a spec's containers (tasks) join, by their names in specs; the owner's
    /// first. None when the spec's native fragment chooses the network itself
    /// (`HostConfig.NetworkMode`, a Swarm `TaskTemplate.Networks`): that choice wins whole.
    public static func wanted(_ spec: Spec) -> [String] {
        switch spec.platform {
        case .docker:
            if spec.docker?["HostConfig"]?["NetworkMode"] != nil { return [] }
        case .swarm:
            if spec.swarm?["TaskTemplate"]?["Networks"] != nil || spec.swarm?["Networks"] != nil { return [] }
        default:
            return []
        }
        return [ownerNetwork] + spec.networks.filter { $0 != ownerNetwork }
    }

    /// The labels a network is made with: it is the owner's, of this target, and a network.
    /// `berth.target` is written on every target (networks are new: no v1 network to keep),
    /// so the docker target's adapter never takes the swarm target's overlay on the same engine.
    public static func labels(owner: String, target: TargetName, network: String) -> [String: String] {
        [Labels.owner: owner, Labels.name: network, Labels.target: target.rawValue, kindLabel: kind]
    }

    /// Whether a network's labels say: this owner's, of this target.
    public static func isOurs(_ labels: [String: String], owner: String, target: TargetName) -> Bool {
        labels[Labels.owner] == owner && labels[kindLabel] == kind && labels[Labels.target] == target.rawValue
            && labels[Labels.name].map(Names.isValid) == true
    }
}
