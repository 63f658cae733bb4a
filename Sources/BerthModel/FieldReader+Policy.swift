/// Hands a valid spec's nodes to `RiskScan`, per target, so that the policy (or, without
/// one, `plan`'s warnings) sees every field that gives power over the host or the cluster.
extension FieldReader {
    mutating func scanRisks(_ node: JSONNode, _ path: JSONPath, platform: PlatformID, imageSource: ImageSource, manifestsOnly: Bool) {
        var scan = RiskScan(file: file)
        // A built or imported image is made here, not pulled: it has no registry to judge.
        if case .registry = imageSource.kind, let image = node["image"] {
            let (ref, refPath) = image["ref"].map { ($0, path.appending(key: "image").appending(key: "ref")) } ?? (image, path.appending(key: "image"))
            if let text = ref.stringValue { scan.image(text, ref, refPath) }
        }
        switch platform {
        case .docker:
            if let volumes = node["volumes"] { scan.volumes(volumes, path.appending(key: "volumes")) }
            if let docker = node["docker"] { scan.dockerBody(docker, path.appending(key: "docker")) }
        case .swarm:
            if let volumes = node["volumes"] { scan.volumes(volumes, path.appending(key: "volumes")) }
            if let swarm = node["swarm"] { scan.swarmFragment(swarm, path.appending(key: "swarm")) }
        case .kubernetes:
            scan.kubernetes(spec: node, path, generatesDeployment: !manifestsOnly)
        default:
            // Another platform's translator judges its own fields; the portable ones are above.
            if let volumes = node["volumes"] { scan.volumes(volumes, path.appending(key: "volumes")) }
        }
        findings += scan.findings
    }
}
