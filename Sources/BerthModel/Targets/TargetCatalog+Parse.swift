/// Reading berth.json: every mistake is one `SpecError` with the file, the JSON path and the
/// line:column, and a file with any mistake is refused whole (no target is half-described).
extension TargetCatalog {
    static let fileFields = ["targets", "groups"]
    static let targetFields = ["platform", "host", "tls", "ssh", "context", "kubeconfig"]
    static let tlsFields = ["ca", "cert", "key"]
    static let sshFields = ["identityFile", "knownHostsFile", "port", "options"]

    /// `platforms`: the platforms registered (a test may add its own).
    public static func parse(file: String, bytes: [UInt8],
                             platforms: Set<PlatformID> = [.docker, .swarm, .kubernetes]) -> (catalog: TargetCatalog?, errors: [SpecError]) {
        var reader = CatalogReader(file: file, platforms: platforms)
        let catalog = reader.read(bytes)
        guard let catalog, reader.errors.isEmpty else { return (nil, reader.errors) }
        return (catalog, [])
    }
}

struct CatalogReader {
    let file: String
    let platforms: Set<PlatformID>
    var errors: [SpecError] = []

    mutating func fail(_ position: JSONPosition, _ path: JSONPath, _ message: String) {
        errors.append(SpecError(file: file, path: path, position: position, message: message))
    }

    mutating func read(_ bytes: [UInt8]) -> TargetCatalog? {
        let root: JSONNode
        do { root = try JSONParser.parse(bytes) } catch {
            fail(error.position, error.path, error.message.hasPrefix("duplicate key") ? error.message : "invalid JSON: \(error.message)")
            return nil
        }
        guard let members = object(root, .root) else { return nil }
        var targets: [TargetName: TargetCatalog.Entry] = [:]
        var groups: [String: [TargetName]] = [:]
        for member in members where !TargetCatalog.fileFields.contains(member.key) {
            unknown(member, .root, TargetCatalog.fileFields)
        }
        if let node = root["targets"], let list = object(node, JSONPath.root.appending(key: "targets")) {
            for member in list {
                let path = JSONPath.root.appending(key: "targets").appending(key: member.key)
                guard name(member.key, member.keyPosition, path, what: "target") else { continue }
                if let entry = entry(TargetName(member.key), member.value, path) { targets[entry.name] = entry }
            }
        }
        let known = TargetCatalog(targets: targets).targets
        if let node = root["groups"], let list = object(node, JSONPath.root.appending(key: "groups")) {
            for member in list {
                let path = JSONPath.root.appending(key: "groups").appending(key: member.key)
                guard name(member.key, member.keyPosition, path, what: "group") else { continue }
                if known[TargetName(member.key)] != nil {
                    fail(member.keyPosition, path, "\"\(member.key)\" is already a target's name; a group needs a name of its own")
                    continue
                }
                if let members = group(member.value, path, known) { groups[member.key] = members }
            }
        }
        return TargetCatalog(targets: targets, groups: groups, file: file)
    }

    mutating func entry(_ name: TargetName, _ node: JSONNode, _ path: JSONPath) -> TargetCatalog.Entry? {
        guard let members = object(node, path) else { return nil }
        for member in members where !TargetCatalog.targetFields.contains(member.key) { unknown(member, path, TargetCatalog.targetFields) }
        guard let platformNode = node["platform"] else {
            fail(node.position, path, "missing \"platform\": one of \(platforms.sorted().map { "\"\($0)\"" }.joined(separator: ", "))")
            return nil
        }
        guard let word = string(platformNode, path.appending(key: "platform")) else { return nil }
        guard platforms.contains(PlatformID(rawValue: word)) else {
            fail(platformNode.position, path.appending(key: "platform"), "unknown platform \"\(word)\"" + suggestion(word, platforms.map(\.rawValue))
                 + "; expected one of " + platforms.sorted().map { "\"\($0)\"" }.joined(separator: ", "))
            return nil
        }
        var entry = TargetCatalog.Entry(name: name, platform: PlatformID(rawValue: word))
        let engine = entry.platform == .docker || entry.platform == .swarm
        for field in ["host", "tls", "ssh"] where !engine {
            if let member = node.member(field) { fail(member.keyPosition, path.appending(key: field), "\"\(field)\" is for Docker and Swarm targets; a \(word) target has none") }
        }
        for field in ["context", "kubeconfig"] where entry.platform != .kubernetes {
            if let member = node.member(field) { fail(member.keyPosition, path.appending(key: field), "\"\(field)\" is for Kubernetes targets; a \(word) target has none") }
        }
        if let host = node["host"], let text = string(host, path.appending(key: "host")) {
            if let scheme = ["unix://", "tcp://", "ssh://"].first(where: { text.hasPrefix($0) }), text.count > scheme.count {
                entry.host = text
            } else {
                fail(host.position, path.appending(key: "host"), "\"\(text)\" is not an engine address; write unix:///PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]")
            }
        }
        if let tls = node["tls"], let members = object(tls, path.appending(key: "tls")) {
            var files = TargetCatalog.TLSFiles()
            for member in members {
                let at = path.appending(key: "tls").appending(key: member.key)
                guard TargetCatalog.tlsFields.contains(member.key) else { unknown(member, path.appending(key: "tls"), TargetCatalog.tlsFields); continue }
                guard let value = string(member.value, at) else { continue }
                let resolved = SpecPaths.resolve(value, relativeTo: file)
                switch member.key {
                case "ca": files.ca = resolved
                case "cert": files.cert = resolved
                default: files.key = resolved
                }
            }
            if (files.cert == nil) != (files.key == nil) {
                fail(tls.position, path.appending(key: "tls"), "\"cert\" and \"key\" go together: the engine checks the client by both")
            }
            if let host = entry.host, !host.hasPrefix("tcp://") {
                fail(tls.position, path.appending(key: "tls"), "TLS is for tcp:// hosts; this target's host is \(host)")
            }
            entry.tls = files
        }
        if let ssh = node["ssh"], let members = object(ssh, path.appending(key: "ssh")) {
            var settings = TargetCatalog.SSHSettings()
            for member in members {
                let at = path.appending(key: "ssh").appending(key: member.key)
                switch member.key {
                case "identityFile": settings.identityFile = string(member.value, at).map { SpecPaths.resolve($0, relativeTo: file) }
                case "knownHostsFile": settings.knownHostsFile = string(member.value, at).map { SpecPaths.resolve($0, relativeTo: file) }
                case "port":
                    if case .number(let text) = member.value.kind, let port = Int(text), (1...65535).contains(port) { settings.port = port } else {
                        fail(member.value.position, at, "expected a port number from 1 to 65535, got \(member.value.value.serialized())")
                    }
                case "options":
                    guard let items = member.value.elements else { fail(member.value.position, at, "expected an array of \"KEY=VALUE\" strings"); continue }
                    for (index, item) in items.enumerated() {
                        guard let option = string(item, at.appending(index: index)) else { continue }
                        // One ssh argument each: "-o" is added by berth, and a value cannot add options of its own.
                        if option.hasPrefix("-") || !option.contains("=") || option.contains(where: { $0 == "\n" || $0 == "\0" }) {
                            fail(item.position, at.appending(index: index), "an ssh option is written KEY=VALUE (as after -o), got \"\(Printable.oneLine(option))\"")
                        } else {
                            settings.options.append(option)
                        }
                    }
                default: unknown(member, path.appending(key: "ssh"), TargetCatalog.sshFields)
                }
            }
            if let host = entry.host, !host.hasPrefix("ssh://") {
                fail(ssh.position, path.appending(key: "ssh"), "ssh settings are for ssh:// hosts; this target's host is \(host)")
            }
            entry.ssh = settings
        }
        if let context = node["context"] { entry.context = string(context, path.appending(key: "context")) }
        if let kubeconfig = node["kubeconfig"] {
            entry.kubeconfig = string(kubeconfig, path.appending(key: "kubeconfig")).map { SpecPaths.resolve($0, relativeTo: file) }
        }
        return entry
    }

    mutating func group(_ node: JSONNode, _ path: JSONPath, _ known: [TargetName: TargetCatalog.Entry]) -> [TargetName]? {
        guard let items = node.elements else {
            fail(node.position, path, "expected an array of target names, got \(node.typeName)")
            return nil
        }
        if items.isEmpty { fail(node.position, path, "a group needs at least one target"); return nil }
        var members: [TargetName] = []
        var platform: PlatformID?
        let before = errors.count
        for (index, item) in items.enumerated() {
            let at = path.appending(index: index)
            guard let word = string(item, at) else { continue }
            guard let entry = known[TargetName(word)] else {
                fail(item.position, at, "unknown target \"\(word)\"" + suggestion(word, known.keys.map(\.rawValue)))
                continue
            }
            if members.contains(entry.name) { fail(item.position, at, "\"\(word)\" is listed twice"); continue }
            if let platform, platform != entry.platform {
                // One spec is read once, by one platform's rules: a group is one platform.
                fail(item.position, at, "\"\(word)\" is a \(entry.platform) target, the group's first is \(platform); a group's targets share one platform")
                continue
            }
            platform = entry.platform
            members.append(entry.name)
        }
        return errors.count == before ? members : nil
    }

    mutating func name(_ word: String, _ position: JSONPosition, _ path: JSONPath, what: String) -> Bool {
        guard Names.isValid(word), word.count <= 40 else {
            fail(position, path, "\"\(Printable.oneLine(word))\" is not a valid \(what) name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40")
            return false
        }
        return true
    }

    mutating func object(_ node: JSONNode, _ path: JSONPath) -> [JSONMember]? {
        guard let members = node.members else { fail(node.position, path, "expected an object, got \(node.typeName)"); return nil }
        return members
    }

    mutating func string(_ node: JSONNode, _ path: JSONPath) -> String? {
        guard let text = node.stringValue, !text.isEmpty else { fail(node.position, path, "expected a non-empty string, got \(node.typeName)"); return nil }
        return text
    }

    mutating func unknown(_ member: JSONMember, _ path: JSONPath, _ fields: [String]) {
        fail(member.keyPosition, path.appending(key: member.key), "unknown field \"\(Printable.oneLine(member.key))\"" + suggestion(member.key, fields)
             + "; expected one of " + fields.map { "\"\($0)\"" }.joined(separator: ", "))
    }

    func suggestion(_ word: String, _ candidates: [String]) -> String {
        Suggest.near(word, candidates).map { " (did you mean \"\($0)\"?)" } ?? ""
    }
}
