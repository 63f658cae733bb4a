import BerthJSON
import BerthModel

/// One Compose service into one spec, key by key.
extension ComposeImport {
    mutating func translateService(_ service: JSONMember, name: String) -> JSONValue? {
        let base = "services.\(service.key)"
        guard let members = service.value.members else {
            fail(service.value, base, "expected a mapping of service settings, got \(service.value.typeName)")
            return nil
        }
        let before = errors.count
        var spec: [String: JSONValue] = ["name": .string(name)]
        var docker: [String: JSONValue] = [:]
        var hostConfig: [String: JSONValue] = [:]
        var env: [String: JSONValue] = [:]
        var envFromFiles: [String: JSONValue] = [:]
        var image: String?
        var build: [String: JSONValue]?
        for member in members {
            let path = "\(base).\(member.key)"
            let node = member.value
            switch member.key {
            case "image":
                image = text(node, path).map { withTag($0, node, path) }
            case "build":
                build = self.build(node, path)
            case "command":
                if let words = texts(node, path, split: true) { spec["command"] = .array(words.map(JSONValue.string)) }
            case "entrypoint":
                if let words = texts(node, path, split: true) { docker["Entrypoint"] = .array(words.map(JSONValue.string)) }
            case "environment":
                for (key, valueNode, value) in pairs(node, path, keepReferences: true) ?? [] {
                    env[key] = environmentValue(key, valueNode, value, path)
                }
            case "env_file":
                for (key, value) in envFiles(node, path) { envFromFiles[key] = .string(value) }
            case "ports":
                if let ports = ports(node, path), !ports.isEmpty { spec["ports"] = .array(ports.map(JSONValue.string)) }
            case "volumes":
                if let volumes = volumes(node, path), !volumes.isEmpty { spec["volumes"] = .array(volumes.map(JSONValue.string)) }
            case "labels":
                var labels: [String: JSONValue] = [:]
                for (key, valueNode, value) in pairs(node, path) ?? [] {
                    if key.hasPrefix("berth.") {
                        note(valueNode.position, "\(path).\(key)", "not translated (labels starting with berth. are berth's own)")
                    } else {
                        labels[key] = .string(value ?? "")
                    }
                }
                if !labels.isEmpty { spec["labels"] = .object(labels) }
            case "restart":
                restart(node, path, into: &spec)
            case "init":
                if case .bool(let flag) = node.kind { hostConfig["Init"] = .bool(flag) } else { fail(node, path, "expected true or false, got \(node.typeName)") }
            case "stop_grace_period":
                if let text = text(node, path) {
                    if let seconds = ComposeDuration.seconds(text) { docker["StopTimeout"] = .number(String(seconds)) } else {
                        fail(node, path, "\"\(text)\" is not a duration like 10s or 1m30s")
                    }
                }
            case "scale":
                replicas(node, path, into: &spec)
            case "deploy":
                deploy(node, path, into: &spec, hostConfig: &hostConfig)
            case "networks":
                let names = node.members.map { $0.map(\.key) } ?? texts(node, path, split: false) ?? []
                later("networks", .array(names.map(JSONValue.string)), member, path, into: &spec)
            case "depends_on":
                dependsOn(node, path, member, into: &spec)
            case "healthcheck":
                // Read only once berth has the field: until then the whole key is one note.
                if !acceptedFields.contains("health") {
                    note(member.keyPosition, path, notYet("health"))
                } else if let health = health(node, path) {
                    spec["health"] = health
                }
            case "container_name":
                note(member.keyPosition, path, "not translated (berth names containers OWNER-NAME-N itself)")
            case let key where key.hasPrefix("x-"):
                break
            default:
                if native(member, path, docker: &docker, hostConfig: &hostConfig) { break }
                note(member.keyPosition, path, "not translated (berth has no equivalent of \"\(member.key)\")")
            }
        }
        // environment wins over env_file, as in Compose.
        env.merge(envFromFiles) { own, _ in own }
        if !env.isEmpty { spec["env"] = .object(env) }
        if let build {
            let ref = image ?? "\(project)-\(Names.sanitized(service.key)):latest"
            spec["image"] = .object(["ref": .string(ref), "build": .object(build)])
        } else if let image {
            spec["image"] = .string(image)
        } else if errors.count == before {
            errors.append(Note(line: service.keyPosition.line, path: base, message: "the service has neither image nor build"))
        }
        if !hostConfig.isEmpty { docker["HostConfig"] = .object(hostConfig) }
        if !docker.isEmpty { spec["docker"] = .object(docker) }
        return errors.count == before ? .object(spec) : nil
    }

    /// A field issue 14 adds later: written when the decoder knows it, else reported by line.
    private mutating func later(_ field: String, _ value: JSONValue, _ member: JSONMember, _ path: String, into spec: inout [String: JSONValue]) {
        if acceptedFields.contains(field) { spec[field] = value } else { note(member.keyPosition, path, notYet(field)) }
    }

    /// berth refuses a bare image name: the moving tag is written out.
    private mutating func withTag(_ image: String, _ node: JSONNode, _ path: String) -> String {
        let last = image.split(separator: "/").last ?? ""
        if image.contains("@") || last.contains(":") { return image }
        note(node.position, path, "written as \"\(image):latest\" (berth refuses an image without a tag)")
        return image + ":latest"
    }

    /// An environment value: `${NAME}` alone, or a key without a value, becomes a secret
    /// reference `{"env": "NAME"}` read from berth's environment when it applies, so the
    /// value never lands in a spec file; anything else is substituted now.
    private mutating func environmentValue(_ key: String, _ node: JSONNode, _ value: String?, _ path: String) -> JSONValue {
        var reference: String?
        if value == nil { reference = key }
        if case .string(let raw) = node.kind, let name = ComposeVariables.wholeReference(raw) { reference = name }
        guard let reference else { return .string(value ?? "") }
        if variables.environment[reference] == nil {
            let why = variables.dotEnv[reference] != nil ? "is set only in .env" : "is not set here"
            notes.append(Note(line: node.position.line, path: "\(path).\(key)",
                              message: "written as {\"env\": \"\(reference)\"}; \(reference) \(why), and berth reads it from its own environment when it validates and applies: export it"))
        }
        return .object(["env": .string(reference)])
    }

    private mutating func envFiles(_ node: JSONNode, _ path: String) -> [(String, String)] {
        let entries: [JSONNode] = node.elements ?? [node]
        var out: [(String, String)] = []
        for (i, entry) in entries.enumerated() {
            let entryPath = node.elements == nil ? path : "\(path)[\(i)]"
            var required = true
            var pathNode = entry
            if let members = entry.members {
                guard let file = entry.member("path") else {
                    fail(entry, entryPath, "an env_file entry needs \"path\"")
                    continue
                }
                pathNode = file.value
                if let flag = members.last(where: { $0.key == "required" }), case .bool(let b) = flag.value.kind { required = b }
            }
            guard let name = text(pathNode, entryPath) else { continue }
            let full = absolutePath(name)
            let content: String
            do { content = try readFile(full) } catch {
                if required { fail(pathNode, entryPath, "cannot read \(full): it does not exist or is not readable (add required: false if it may be missing)") }
                continue
            }
            do { out += try ComposeVariables.parseEnvFile(content) } catch {
                fail(pathNode, entryPath, "\(full) \(error.message)")
            }
        }
        return out
    }

    private mutating func build(_ node: JSONNode, _ path: String) -> [String: JSONValue]? {
        var context = "."
        var out: [String: JSONValue] = [:]
        if case .string = node.kind {
            guard let text = text(node, path) else { return nil }
            context = text
        } else if let members = node.members {
            for member in members {
                let memberPath = "\(path).\(member.key)"
                switch member.key {
                case "context": context = text(member.value, memberPath) ?? context
                case "dockerfile": if let name = text(member.value, memberPath) { out["dockerfile"] = .string(name) }
                case "args":
                    var args: [String: JSONValue] = [:]
                    for (key, _, value) in pairs(member.value, memberPath) ?? [] {
                        if let value { args[key] = .string(value) } else if let own = variables.value(key) { args[key] = .string(own) }
                    }
                    if !args.isEmpty { out["args"] = .object(args) }
                default:
                    note(member.keyPosition, memberPath, "not translated (berth's build takes context, dockerfile and args)")
                }
            }
        } else {
            fail(node, path, "expected a build context path or a mapping, got \(node.typeName)")
            return nil
        }
        if context.contains("://") || context.hasPrefix("git@") {
            fail(node, path, "a remote build context (\(context)) is not translated; clone it and name the folder")
            return nil
        }
        out["context"] = .string(relativeToOut(absolutePath(context)))
        return out
    }

    private mutating func restart(_ node: JSONNode, _ path: String, into spec: inout [String: JSONValue]) {
        guard let word = text(node, path) else { return }
        let parts = word.split(separator: ":", maxSplits: 1)
        let policy = parts.first.map(String.init) ?? ""
        guard ["no", "always", "on-failure", "unless-stopped"].contains(policy) else {
            fail(node, path, "unknown restart policy \"\(word)\"; Compose's are no, always, on-failure[:N], unless-stopped")
            return
        }
        spec["restart"] = .string(policy)
        if parts.count == 2 { note(node.position, path, "the retry count :\(parts[1]) is not translated (berth's on-failure retries without a limit)") }
    }

    private mutating func replicas(_ node: JSONNode, _ path: String, into spec: inout [String: JSONValue]) {
        guard case .number(let text) = node.kind, let count = Int(text), count >= 0 else {
            fail(node, path, "expected a whole number of replicas, got \(node.typeName)")
            return
        }
        spec["replicas"] = .number(String(count))
    }

    private mutating func deploy(_ node: JSONNode, _ path: String, into spec: inout [String: JSONValue], hostConfig: inout [String: JSONValue]) {
        for member in node.members ?? [] {
            let memberPath = "\(path).\(member.key)"
            switch member.key {
            case "replicas":
                replicas(member.value, memberPath, into: &spec)
            case "update_config":
                // berth's "update" is a Swarm service's rollout today; once containers have one
                // (issue 14), the decoder accepts it on a docker spec and it is written.
                if acceptsContainerUpdate, let update = update(member.value, memberPath) {
                    spec["update"] = update
                } else {
                    note(member.keyPosition, memberPath, "not translated yet (berth has no update for containers; its \"update\" is for target swarm)")
                }
            case "resources":
                resources(member.value, memberPath, hostConfig: &hostConfig)
            case "restart_policy":
                for setting in member.value.members ?? [] {
                    let settingPath = "\(memberPath).\(setting.key)"
                    guard setting.key == "condition" else {
                        note(setting.keyPosition, settingPath, "not translated (berth's restart is a policy name: no, always, on-failure or unless-stopped)")
                        continue
                    }
                    let policies = ["none": "no", "on-failure": "on-failure", "any": "always"]
                    guard let word = text(setting.value, settingPath), let policy = policies[word] else {
                        fail(setting.value, settingPath, "a restart condition is none, on-failure or any")
                        continue
                    }
                    // `restart` on the service itself wins, wherever it is written.
                    if spec["restart"] == nil { spec["restart"] = .string(policy) }
                }
            default:
                note(member.keyPosition, memberPath, "not translated (berth has no equivalent of deploy.\(member.key))")
            }
        }
    }
}
