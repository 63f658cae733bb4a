/// Ports and volumes: short strings with a grammar of their own, checked here so the
/// engine never sees a malformed one.
extension FieldReader {
    mutating func ports(_ node: JSONNode, _ path: JSONPath, replicas: Int) -> [PortMapping]? {
        guard case .array(let items) = node.kind else {
            fail(node, path, "expected an array of \"hostPort:containerPort[/tcp|udp]\" strings, got \(node.typeName)")
            return nil
        }
        var out: [PortMapping] = []
        // A set, not a search of `out`: thousands of ports must not cost millions of comparisons.
        var published: Set<String> = []
        var ok = true
        for (i, item) in items.enumerated() {
            let itemPath = path.appending(index: i)
            guard let text = string(item, itemPath) else { ok = false; continue }
            guard let port = PortMapping(parsing: text) else {
                fail(item, itemPath, "\(quoted(text)) is not \"[ip:]hostPort:containerPort[/tcp|udp]\" with ports 1-65535")
                ok = false; continue
            }
            if !published.insert("\(port.hostIP ?? "")|\(port.hostPort)/\(port.proto)").inserted {
                fail(item, itemPath, "host port \(port.hostPort)/\(port.proto) is published twice")
                ok = false; continue
            }
            if replicas > 1 {
                fail(item, itemPath, "host port \(port.hostPort) cannot be bound by \(replicas) replicas at once; use one replica per host port")
                ok = false; continue
            }
            out.append(port)
        }
        return ok ? out : nil
    }

    mutating func volumes(_ node: JSONNode, _ path: JSONPath) -> [VolumeMount]? {
        guard case .array(let items) = node.kind else {
            fail(node, path, "expected an array of \"source:destination[:ro]\" strings or {\"source\", \"target\"} objects, got \(node.typeName)")
            return nil
        }
        var out: [VolumeMount] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let itemPath = path.appending(index: i)
            let text: String
            var prune = false
            if case .object = item.kind {
                guard let (written, pruned) = mountObject(item, itemPath) else { ok = false; continue }
                (text, prune) = (written, pruned)
            } else {
                guard let written = string(item, itemPath) else { ok = false; continue }
                text = written
            }
            if hasControl(text) || text.split(separator: ":").contains(where: { $0.split(separator: "/").contains("..") }) {
                // The engine would clean "/srv/../etc" to "/etc": say so here instead of mounting a surprise.
                fail(item, itemPath, "\(quoted(text)) holds a '..' path step, NUL or a control character; write the path it means")
                ok = false; continue
            }
            guard var volume = VolumeMount(parsing: text) else {
                fail(item, itemPath, "\(quoted(text)) is not \"source:destination[:ro|rw]\" with an absolute host path or a volume name as source and an absolute destination")
                ok = false; continue
            }
            if prune && volume.isBind {
                let at = item.member("prune")!
                fail(at.value, itemPath.appending(key: "prune"), "\"prune\" is for named volumes: berth never deletes a host folder (\(quoted(volume.source)))")
                ok = false; continue
            }
            volume.prune = prune
            volume.path = itemPath
            volume.position = item.position
            out.append(volume)
        }
        return ok ? out : nil
    }

    /// `{"source": "data", "target": "/data", "readOnly": true, "prune": true}` as the text
    /// the string form would be, and its prune flag.
    private mutating func mountObject(_ node: JSONNode, _ path: JSONPath) -> (String, Bool)? {
        let known = ["source", "target", "readOnly", "prune"]
        var ok = true
        var source: String?, target: String?, readOnly = false, prune = false
        for member in node.members ?? [] {
            let at = path.appending(key: member.key)
            switch member.key {
            case "source": source = string(member.value, at); ok = ok && source != nil
            case "target": target = string(member.value, at); ok = ok && target != nil
            case "readOnly", "prune":
                guard case .bool(let flag) = member.value.kind else {
                    fail(member.value, at, "expected true or false, got \(member.value.typeName)")
                    ok = false; continue
                }
                if member.key == "prune" { prune = flag } else { readOnly = flag }
            default:
                let guess = Suggest.near(member.key, known).map { "; did you mean \"\($0)\"?" } ?? "; a mount has " + known.joined(separator: ", ")
                fail(at: member.keyPosition, at, "unknown key \"\(JSONPath.abbreviated(member.key))\" in a mount" + guess)
                ok = false
            }
        }
        for key in ["source", "target"] where node.member(key) == nil {
            fail(node, path, "a mount object needs \"\(key)\" (\(key == "source" ? "a volume name or an absolute host path" : "the absolute path inside the container"))")
            ok = false
        }
        guard ok, let source, let target else { return nil }
        // The string form splits on ':'; one inside a field would be read as another part.
        for (key, text) in [("source", source), ("target", target)] where text.contains(":") {
            fail(node.member(key)!.value, path.appending(key: key), "\(quoted(text)) holds a ':'; a mount's source and target cannot")
            ok = false
        }
        guard ok else { return nil }
        return (source + ":" + target + (readOnly ? ":ro" : ""), prune)
    }
}

extension PortMapping {
    public init?(parsing text: String) {
        var body = Substring(text)
        var proto = "tcp"
        if let slash = body.lastIndex(of: "/") {
            proto = String(body[body.index(after: slash)...])
            body = body[..<slash]
            guard proto == "tcp" || proto == "udp" else { return nil }
        }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        func port(_ s: Substring) -> Int? {
            guard !s.isEmpty, s.count <= 5, s.allSatisfy(\.isASCII), let n = Int(s), n >= 1, n <= 65535 else { return nil }
            return n
        }
        guard let host = port(parts[parts.count - 2]), let container = port(parts[parts.count - 1]) else { return nil }
        var ip: String?
        if parts.count == 3 {
            guard PortMapping.isIPv4(parts[0]) else { return nil }
            ip = String(parts[0])
        }
        self.init(hostIP: ip, hostPort: host, containerPort: container, proto: proto)
    }

    static func isIPv4(_ s: Substring) -> Bool {
        let octets = s.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { o in
            !o.isEmpty && o.count <= 3 && o.allSatisfy { $0 >= "0" && $0 <= "9" } && Int(o)! <= 255
        }
    }
}

extension VolumeMount {
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var readOnly = false
        if parts.count == 3 {
            guard parts[2] == "ro" || parts[2] == "rw" else { return nil }
            readOnly = parts[2] == "ro"
        }
        let source = parts[0], destination = parts[1]
        let sourceIsPath = source.hasPrefix("/")
        let sourceIsVolume = !source.isEmpty && source.utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x2D || b == 0x5F || b == 0x2E
        } && !source.hasPrefix(".")
        guard sourceIsPath || sourceIsVolume, destination.hasPrefix("/"), !destination.contains("\u{0}"),
              !source.contains("\u{0}") else { return nil }
        self.init(source: source, destination: destination, readOnly: readOnly)
    }
}
