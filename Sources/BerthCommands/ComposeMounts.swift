import BerthJSON

/// Compose's `ports` and `volumes`, short and long syntax, into berth's strings.
extension ComposeImport {
    /// `"[ip:]host:container[/proto]"` strings; entries berth cannot express are reported.
    mutating func ports(_ node: JSONNode, _ path: String) -> [String]? {
        guard let elements = node.elements else {
            fail(node, path, "expected a list of ports, got \(node.typeName)")
            return nil
        }
        var out: [String] = []
        for (i, element) in elements.enumerated() {
            let itemPath = "\(path)[\(i)]"
            var ip: String?, host: String?, container: String?, proto = "tcp"
            if let members = element.members {
                for member in members {
                    let value = text(member.value, "\(itemPath).\(member.key)")
                    switch member.key {
                    case "target": container = value
                    case "published": host = value
                    case "host_ip": ip = value
                    case "protocol": proto = value ?? proto
                    case "mode" where value == "host" || value == "ingress": break
                    default: note(member.keyPosition, "\(itemPath).\(member.key)", "not translated (berth's ports take target, published, host_ip and protocol)")
                    }
                }
            } else {
                guard var entry = text(element, itemPath) else { continue }
                if let slash = entry.lastIndex(of: "/") {
                    proto = String(entry[entry.index(after: slash)...])
                    entry = String(entry[..<slash])
                }
                if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
                    ip = String(entry[entry.index(after: entry.startIndex)..<close])
                    entry = String(entry[entry.index(after: close)...].drop { $0 == ":" })
                }
                var parts = entry.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                if parts.count == 3 && ip == nil { ip = parts.removeFirst() }
                if parts.count == 2 { host = parts[0]; container = parts[1] } else if parts.count == 1 { container = parts[0] } else {
                    fail(element, itemPath, "\"\(entry)\" is not [ip:]host:container[/protocol]")
                    continue
                }
            }
            guard let container, !container.isEmpty else {
                fail(element, itemPath, "a port needs its container port (target)")
                continue
            }
            if container.contains("-") || host?.contains("-") == true {
                note(element.position, itemPath, "not translated (berth has no port ranges; write one port per entry)")
                continue
            }
            guard let host, !host.isEmpty else {
                note(element.position, itemPath, "not translated (berth publishes on a host port you choose: write HOST:\(container))")
                continue
            }
            let address = ip.map { $0.isEmpty || $0 == "0.0.0.0" ? "" : ($0.contains(":") ? "[\($0)]:" : "\($0):") } ?? ""
            out.append("\(address)\(host):\(container)/\(proto)")
        }
        return out
    }

    /// `"source:destination[:ro]"` strings: relative host paths made absolute, named volumes
    /// kept by name; anonymous volumes and tmpfs are reported.
    mutating func volumes(_ node: JSONNode, _ path: String) -> [String]? {
        guard let elements = node.elements else {
            fail(node, path, "expected a list of volumes, got \(node.typeName)")
            return nil
        }
        var out: [String] = []
        for (i, element) in elements.enumerated() {
            let itemPath = "\(path)[\(i)]"
            var source: String?, target: String?, readOnly = false
            if let members = element.members {
                var type = "volume"
                for member in members {
                    let memberPath = "\(itemPath).\(member.key)"
                    switch member.key {
                    case "type": type = text(member.value, memberPath) ?? type
                    case "source": source = text(member.value, memberPath)
                    case "target": target = text(member.value, memberPath)
                    case "read_only": if case .bool(let flag) = member.value.kind { readOnly = flag }
                    default: note(member.keyPosition, memberPath, "not translated (berth's volumes take type, source, target and read_only)")
                    }
                }
                guard type == "bind" || type == "volume" else {
                    note(element.position, itemPath, "not translated (berth's volumes are binds and named volumes, not \(type))")
                    continue
                }
            } else {
                guard let entry = text(element, itemPath) else { continue }
                let parts = entry.split(separator: ":").map(String.init)
                switch parts.count {
                case 1: target = parts[0]
                case 2: (source, target) = (parts[0], parts[1])
                case 3:
                    (source, target) = (parts[0], parts[1])
                    let modes = parts[2].split(separator: ",")
                    readOnly = modes.contains("ro")
                    for mode in modes where mode != "ro" && mode != "rw" {
                        note(element.position, itemPath, "the mode \"\(mode)\" is not translated (berth's volumes are ro or rw)")
                    }
                default:
                    fail(element, itemPath, "\"\(entry)\" is not source:target[:mode]")
                    continue
                }
            }
            guard let target, target.hasPrefix("/") else {
                fail(element, itemPath, "a volume needs an absolute target path in the container")
                continue
            }
            guard var source, !source.isEmpty else {
                note(element.position, itemPath, "not translated (berth has no anonymous volumes: name one, NAME:\(target))")
                continue
            }
            if source.hasPrefix(".") || source.hasPrefix("~") || source.hasPrefix("/") { source = absolutePath(source) }
            out.append("\(source):\(target)" + (readOnly ? ":ro" : ""))
        }
        return out
    }
}
