import BerthJSON

/// What no single file can show: two specs that want the same host port on one engine. Each
/// collision is one error, on the later of the two (in file order), naming the earlier one's
/// file and position. Both files are invalid, so neither silently wins: what runs stays as it
/// is, and nothing new is started into a port that is taken. (Two specs making one Kubernetes
/// object are refused by the planner, which knows the cluster's namespaces; berth's own names,
/// `OWNER-NAME-REPLICA` and `OWNER-NAME`, are one-to-one with the spec names, whose
/// duplicates `DesiredState.assemble` refuses.)
enum Collisions {
    /// Ports expanded from ranges, at most: a folder of thousands of "1-65535" ranges must not
    /// take minutes; a collision past this is left to the engine.
    static let maxExpandedPorts = 1_000_000

    /// `docker` and `swarm` specs share the engine's ports: Swarm's routing mesh binds every
    /// address of the node, as a container bound to 0.0.0.0 does.
    static func ports(_ specs: [Spec]) -> (errors: [SpecError], files: Set<String>) {
        struct Site { var spec: Int; var binding: HostBinding }
        struct Bucket { var first: Int?; var every: Int?; var byAddress: [String: Int] = [:] }
        var sites: [Site] = []
        var buckets: [String: Bucket] = [:]
        var reported: Set<[Int]> = []
        var errors: [SpecError] = []
        var files: Set<String> = []
        var expanded = 0
        for (index, spec) in specs.enumerated() where spec.platform == .docker || spec.platform == .swarm {
            for binding in spec.hostBindings {
                let site = sites.count
                sites.append(Site(spec: index, binding: binding))
                for port in binding.low...binding.high {
                    expanded += 1
                    guard expanded <= maxExpandedPorts else { break }
                    // Per target: two targets are two engines (berth.json's "docker" and "swarm" are one).
                    let bucketKey = "\(EngineSharing.engine(of: spec.target))/\(port)/\(binding.proto)"
                    var bucket = buckets[bucketKey] ?? Bucket()
                    // Every address collides with whatever holds the port; one address with
                    // every address or with itself. Constant work per port, however many specs.
                    let other = binding.address == nil ? bucket.first : bucket.every ?? bucket.byAddress[binding.address!]
                    if let other, sites[other].spec != index, reported.insert([other, site]).inserted {
                        let earlier = sites[other], first = specs[earlier.spec]
                        files.formUnion([spec.origin.file, first.origin.file])
                        errors.append(SpecError(
                            file: spec.origin.file, path: binding.path, position: binding.position,
                            message: "host port \(binding.description) collides with \(earlier.binding.description) of \"\(first.name)\" at \(first.origin.file):\(earlier.binding.position); give each spec its own host port or address"))
                    }
                    if bucket.first == nil { bucket.first = site }
                    if let address = binding.address {
                        if bucket.byAddress[address] == nil { bucket.byAddress[address] = site }
                    } else if bucket.every == nil {
                        bucket.every = site
                    }
                    buckets[bucketKey] = bucket
                }
            }
        }
        return (errors, files)
    }
}
