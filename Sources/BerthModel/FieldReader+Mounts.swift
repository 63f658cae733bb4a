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
            fail(node, path, "expected an array of \"source:destination[:ro]\" strings, got \(node.typeName)")
            return nil
        }
        var out: [VolumeMount] = []
        var ok = true
        for (i, item) in items.enumerated() {
            let itemPath = path.appending(index: i)
            guard let text = string(item, itemPath) else { ok = false; continue }
            if hasControl(text) || text.split(separator: ":").contains(where: { $0.split(separator: "/").contains("..") }) {
                // The engine would clean "/srv/../etc" to "/etc": say so here instead of mounting a surprise.
                fail(item, itemPath, "\(quoted(text)) holds a '..' path step, NUL or a control character; write the path it means")
                ok = false; continue
            }
            guard let volume = VolumeMount(parsing: text) else {
                fail(item, itemPath, "\(quoted(text)) is not \"source:destination[:ro|rw]\" with an absolute host path or a volume name as source and an absolute destination")
                ok = false; continue
            }
            out.append(volume)
        }
        return ok ? out : nil
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
