/// Turns the bytes of one spec file into validated specs, or into errors that each name
/// the file, the JSON path and the line:column of the offending value.
///
/// A file is valid or invalid as a whole: one bad spec in an array makes the file invalid,
/// so that what it describes is left as it is rather than half-applied.
public enum SpecDecoder {
    public static let fields = [
        "name", "target", "image", "command", "env", "replicas", "ports", "volumes", "labels", "restart", "docker",
        "mode", "update", "swarm", "removeImage", "namespace", "kubernetes", "manifests", "adopt", "secretEnv",
        "state", "suspend", "prune", "health", "dependsOn", "networks",
    ]
    /// Fields that only mean something on one platform.
    static let platformOnly: [String: PlatformID] = [
        "docker": .docker, "mode": .swarm, "swarm": .swarm,
        "namespace": .kubernetes, "kubernetes": .kubernetes, "manifests": .kubernetes, "adopt": .kubernetes,
    ]
    public static let maxNameLength = 53
    public static let maxReplicas = 1000
    /// Errors listed per file; the rest are counted in one last line. A hostile or generated
    /// file can hold a million mistakes, and a person reads the first few.
    public static let maxErrorsPerFile = 100

    public struct FileResult: Sendable {
        public var specs: [Spec]
        public var errors: [SpecError]
        /// Risky fields, shown by `plan` when no policy is set (`Policy.judge`).
        public var warnings: [SpecError] = []
        public var isValid: Bool { errors.isEmpty }
    }

    /// `app: true` reads an app folder's `app.json` (the folder holds a Dockerfile): a spec
    /// without `image`, whose image is built from the folder, as `cf push` of a Dockerfile app.
    /// `policy`: the operator's; a spec that breaks it makes its file invalid. Without one,
    /// risky fields come back as warnings.
    /// `catalog`: the targets a spec may name (berth.json's, or the implicit three); a spec
    /// naming a group comes back once per member.
    public static func decode(file: String, bytes: [UInt8], app: Bool = false, policy: Policy? = nil,
                              catalog: TargetCatalog = .implicit) -> FileResult {
        let root: JSONNode
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            let message = error.message.hasPrefix("duplicate key") ? error.message : "invalid JSON: \(error.message)"
            return FileResult(specs: [], errors: [SpecError(file: file, path: error.path, position: error.position, message: message)])
        }
        var reader = FieldReader(file: file, app: app, catalog: catalog)
        var specs: [Spec] = []
        switch root.kind {
        case .object:
            if let spec = reader.spec(root, path: .root) { specs += catalog.fannedOut(spec) }
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let spec = reader.spec(item, path: JSONPath.root.appending(index: index)) { specs += catalog.fannedOut(spec) }
            }
        default:
            reader.fail(root, .root, "expected a spec object or an array of spec objects, got \(root.typeName)")
        }
        let judged = Policy.judge(reader.findings, policy: policy)
        reader.errors += judged.errors
        return reader.errors.isEmpty ? FileResult(specs: specs, errors: [], warnings: judged.warnings) : FileResult(specs: [], errors: capped(reader.errors))
    }

    /// The first `maxErrorsPerFile` errors, then "and N more errors in this file" at the
    /// place of the first one left out.
    static func capped(_ errors: [SpecError]) -> [SpecError] {
        guard errors.count > maxErrorsPerFile else { return errors }
        let next = errors[maxErrorsPerFile]
        let more = errors.count - maxErrorsPerFile
        return Array(errors.prefix(maxErrorsPerFile)) + [SpecError(
            file: next.file, path: next.path, position: next.position,
            message: "and \(more) more error\(more == 1 ? "" : "s") in this file")]
    }
}

/// Reads one spec object field by field, collecting every error rather than stopping at the first.
struct FieldReader {
    let file: String
    /// Reading an app folder's app.json: no image field, the folder is the build context.
    let app: Bool
    var errors: [SpecError] = []
    /// Risky fields of the specs read so far, judged against the policy by `SpecDecoder`.
    var findings: [PolicyFinding] = []

    /// The targets a spec may name.
    let catalog: TargetCatalog

    init(file: String, app: Bool = false, catalog: TargetCatalog = .implicit) { self.file = file; self.app = app; self.catalog = catalog }

    mutating func fail(_ node: JSONNode, _ path: JSONPath, _ message: String) {
        errors.append(SpecError(file: file, path: path, position: node.position, message: message))
    }

    mutating func fail(at position: JSONPosition, _ path: JSONPath, _ message: String) {
        errors.append(SpecError(file: file, path: path, position: position, message: message))
    }

    mutating func spec(_ node: JSONNode, path: JSONPath) -> Spec? {
        guard case .object(let members) = node.kind else {
            fail(node, path, "expected a spec object, got \(node.typeName)")
            return nil
        }
        let before = errors.count
        var byKey: [String: JSONNode] = [:]
        for member in members {
            if SpecDecoder.fields.contains(member.key) {
                byKey[member.key] = member.value
            } else {
                fail(at: member.keyPosition, path.appending(key: member.key), unknownFieldMessage(member.key))
            }
        }
        let name = byKey["name"].flatMap { self.name($0, path.appending(key: "name")) }
        if byKey["name"] == nil { fail(node, path, "missing required field \"name\"") }
        var imageAndSource = byKey["image"].flatMap { self.imageField($0, path.appending(key: "image")) }
        if app {
            if let image = members.first(where: { $0.key == "image" }) {
                fail(at: image.keyPosition, path.appending(key: "image"), "an app folder's app.json has no image: it is built from the folder's Dockerfile")
            }
            let folder = SpecPaths.resolve(".", relativeTo: file)
            imageAndSource = name.map { ("berth-app/\($0):" + String(SHA256.hex(folder).prefix(12)),
                                        ImageSource(kind: .build(context: folder, dockerfile: "Dockerfile", args: [:]), position: node.position, path: path)) }
        }
        let resolution = byKey["target"].map { self.target($0, path.appending(key: "target")) } ?? catalog.resolve("docker")
        let target = resolution?.members.first ?? .docker
        let platform = resolution?.platform ?? .docker
        let manifests = platform == .kubernetes ? byKey["manifests"].flatMap { self.manifests($0, path.appending(key: "manifests")) } : nil
        // On a cluster a spec may be manifests only: then no Deployment is generated.
        let manifestsOnly = platform == .kubernetes && byKey["manifests"] != nil && byKey["image"] == nil
        if !app && byKey["image"] == nil {
            if manifestsOnly {
                if manifests?.isEmpty == true { fail(byKey["manifests"]!, path.appending(key: "manifests"), "a spec without \"image\" needs at least one manifest") }
                imageAndSource = ("", ImageSource())
            } else {
                fail(node, path, "missing required field \"image\"")
            }
        }
        let command = byKey["command"].flatMap { stringArray($0, path.appending(key: "command")) }
        let env = byKey["env"].flatMap { environment($0, path.appending(key: "env")) } ?? ([:], [:], [:])
        for member in members {
            if resolution != nil, let only = SpecDecoder.platformOnly[member.key], only != platform {
                fail(at: member.keyPosition, path.appending(key: member.key), target.isImplicit
                     ? "\"\(member.key)\" is only for target \"\(only)\" (this spec's target is \"\(target)\")"
                     : "\"\(member.key)\" is only for \(only) targets (this spec's target \"\(resolution.map(\.word) ?? target.rawValue)\" is \(platform))")
            }
        }
        let replicas = byKey["replicas"].flatMap { self.replicas($0, path.appending(key: "replicas")) } ?? 1
        // Only containers on one engine compete for a host port; Swarm's routing mesh shares it.
        let ports = byKey["ports"].flatMap { self.ports($0, path.appending(key: "ports"), replicas: platform == .docker ? replicas : 1) } ?? []
        let volumes = byKey["volumes"].flatMap { self.volumes($0, path.appending(key: "volumes")) } ?? []
        let labels = byKey["labels"].flatMap { self.labels($0, path.appending(key: "labels")) } ?? [:]
        let restart = byKey["restart"].flatMap {
            oneOf($0, path.appending(key: "restart"), RestartPolicy.allCases.map(\.rawValue), what: "restart policy")
        }.flatMap(RestartPolicy.init(rawValue:))
        let docker = byKey["docker"].flatMap { dockerBody($0, path.appending(key: "docker")) }
        let mode = byKey["mode"].flatMap {
            oneOf($0, path.appending(key: "mode"), ServiceMode.allCases.map(\.rawValue), what: "mode")
        }.flatMap(ServiceMode.init(rawValue:))
        // Swarm's UpdateConfig, or on Docker a rollout of the replicas; a cluster has its own.
        var update: UpdatePolicy?, rollout: UpdatePolicy?
        if let node = byKey["update"] {
            if platform == .kubernetes {
                fail(at: members.first { $0.key == "update" }!.keyPosition, path.appending(key: "update"),
                     "\"update\" is only for docker and swarm targets; a Deployment rolls out by its own strategy (\"kubernetes\": {\"spec\": {\"strategy\": …}})")
            } else if platform == .docker {
                rollout = self.update(node, path.appending(key: "update"), platform: .docker)
            } else {
                update = self.update(node, path.appending(key: "update"))
            }
        }
        let swarm = byKey["swarm"].flatMap { swarmFragment($0, path.appending(key: "swarm")) }
        var namespace: String?, kubernetes: JSONValue?
        if platform == .kubernetes {
            namespace = byKey["namespace"].flatMap { self.namespace($0, path.appending(key: "namespace")) }
            kubernetes = byKey["kubernetes"].flatMap { kubernetesFragment($0, path.appending(key: "kubernetes"), name: name) }
            refuseOnKubernetes(members, path, image: imageAndSource?.1, manifestsOnly: manifestsOnly)
            for (i, port) in ports.enumerated() where port.hostIP != nil {
                fail(byKey["ports"]!.elements![i], path.appending(key: "ports").appending(index: i), "a Service has no host IP; write \"\(port.hostPort):\(port.containerPort)/\(port.proto)\"")
            }
        }
        if platform == .swarm { checkSwarm(byKey, path, mode: mode, ports: ports) }
        var removeImage = false
        if let node = byKey["removeImage"] {
            if case .bool(let b) = node.kind { removeImage = b } else { fail(node, path.appending(key: "removeImage"), "expected true or false, got \(node.typeName)") }
        }
        var adopt = false
        if let node = byKey["adopt"] {
            if case .bool(let b) = node.kind { adopt = b } else { fail(node, path.appending(key: "adopt"), "expected true or false, got \(node.typeName)") }
        }
        var state = RunIntent.running
        if let node = byKey["state"], let word = oneOf(node, path.appending(key: "state"), RunIntent.allCases.map(\.rawValue), what: "state") {
            state = RunIntent(rawValue: word)!
            if state == .stopped && platform != .docker {
                fail(node, path.appending(key: "state"), "\"state\": \"stopped\" is only for target \"docker\"; a \(platform == .swarm ? "Swarm service" : "Kubernetes Deployment") is stopped with \"replicas\": 0")
            }
        }
        var suspend = false
        if let node = byKey["suspend"] {
            if case .bool(let b) = node.kind { suspend = b } else { fail(node, path.appending(key: "suspend"), "expected true or false, got \(node.typeName)") }
        }
        var prune = true
        if let node = byKey["prune"] {
            if case .bool(let b) = node.kind { prune = b } else { fail(node, path.appending(key: "prune"), "expected true or false, got \(node.typeName)") }
        }
        let health = byKey["health"].flatMap { self.health($0, path.appending(key: "health")) }
        let dependsOn = byKey["dependsOn"].flatMap { self.dependsOn($0, path.appending(key: "dependsOn"), name: name) } ?? []
        let networks = byKey["networks"].flatMap { self.networks($0, path.appending(key: "networks"), platform: platform) } ?? []
        let secretEnv = byKey["secretEnv"].flatMap { envNames($0, path.appending(key: "secretEnv")) } ?? []
        let hostBindings = hostBindings(byKey, path, platform: platform, ports: ports, replicas: replicas)
        guard errors.count == before, let name, let (image, imageSource) = imageAndSource else { return nil }
        scanRisks(node, path, platform: platform, imageSource: imageSource, manifestsOnly: manifestsOnly)
        var spec = Spec(
            name: SpecName(name), target: target, image: image, command: command, env: env.plain, replicas: replicas,
            ports: ports, volumes: volumes, labels: labels, restart: restart, docker: docker,
            mode: mode, update: update, swarm: swarm, imageSource: imageSource, removeImage: removeImage,
            namespace: namespace, kubernetes: kubernetes, manifests: manifests ?? [], adopt: adopt,
            origin: SpecOrigin(file: file, path: path, position: node.position))
        spec.secretEnv = secretEnv
        spec.sealedEnv = env.sealed
        spec.secretRefs = env.references
        spec.hostBindings = hostBindings
        spec.state = state
        spec.suspend = suspend
        spec.prune = prune
        spec.health = health
        spec.dependsOn = dependsOn
        spec.rollout = rollout
        spec.networks = networks
        spec.platform = platform
        if case .group(let group, _, _) = resolution { spec.group = group }
        return spec
    }

    func unknownFieldMessage(_ key: String) -> String {
        // Past the cap the message is dropped unread; a "did you mean" search per key would
        // make a file of a million unknown keys take minutes.
        if errors.count >= SpecDecoder.maxErrorsPerFile { return "" }
        if let guess = Suggest.closest(to: key, in: SpecDecoder.fields) {
            return "unknown field \"\(JSONPath.abbreviated(key))\"; did you mean \"\(guess)\"?"
        }
        return "unknown field \"\(JSONPath.abbreviated(key))\"; known fields are " + SpecDecoder.fields.joined(separator: ", ")
    }
}
