/// Finds the risky fields of a spec as written (nodes, so each finding has its line and
/// column): host paths, privileged mode, capabilities, host namespaces, devices, unconfined
/// security options, the Docker socket, image registries, Kubernetes namespaces and kinds.
/// Pure: whether a finding is refused or only warned about is `Policy.judge`'s decision.
struct RiskScan {
    let file: String
    var findings: [PolicyFinding] = []

    init(file: String) { self.file = file }

    mutating func add(_ rule: PolicyRule, _ subject: String = "", _ what: String, _ node: JSONNode, _ path: JSONPath) {
        findings.append(PolicyFinding(rule: rule, subject: subject, what: what, file: file, path: path, position: node.position))
    }

    /// Where the Docker socket lives; a bind of it, or of a folder holding it, hands the engine over.
    static let dockerSockets = ["/var/run/docker.sock", "/run/docker.sock"]

    /// A host path mounted into a container: the socket rule for the socket (or a folder
    /// holding it), else the host-path rule.
    mutating func hostPath(_ source: String, _ node: JSONNode, _ path: JSONPath) {
        let normalized = SpecPaths.normalize(source)
        if normalized.hasSuffix("docker.sock") || RiskScan.dockerSockets.contains(where: { Policy.isUnder($0, anyOf: [normalized]) }) {
            add(.dockerSocket, normalized, "mount of the Docker socket (host path \(quoted(normalized)))", node, path)
        } else {
            add(.hostPath, normalized, "bind of host path \(quoted(normalized))", node, path)
        }
    }

    /// The registry part of an image reference as Docker reads it ("docker.io/library/nginx"
    /// for "nginx:1"), so a policy can list "docker.io" or "docker.io/library".
    static func repository(_ image: String) -> String {
        var name = image
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = String(name[..<colon]) }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" { return name }
        return "docker.io/" + (parts.count == 1 ? "library/" + name : name)
    }

    mutating func image(_ image: String, _ node: JSONNode, _ path: JSONPath) {
        guard !image.isEmpty else { return }
        add(.registry, RiskScan.repository(image), "image \(quoted(image))", node, path)
    }

    /// The portable `volumes`: an absolute source is a bind of the host.
    mutating func volumes(_ node: JSONNode, _ path: JSONPath) {
        for (index, item) in (node.elements ?? []).enumerated() {
            // The object form's source is a bind just the same.
            if let source = item["source"], let text = source.stringValue, text.hasPrefix("/") {
                hostPath(text, source, path.appending(index: index).appending(key: "source"))
                continue
            }
            guard let text = item.stringValue, text.hasPrefix("/"), let colon = text.firstIndex(of: ":") else { continue }
            hostPath(String(text[..<colon]), item, path.appending(index: index))
        }
    }

    /// A native create-container body (`docker`).
    mutating func dockerBody(_ node: JSONNode, _ path: JSONPath) {
        if let image = node.member("Image"), let text = image.value.stringValue { self.image(text, image.value, path.appending(key: "Image")) }
        guard let host = node["HostConfig"] else { return }
        let hostPath = path.appending(key: "HostConfig")
        for member in host.members ?? [] {
            let at = hostPath.appending(key: member.key), value = member.value
            switch member.key {
            case "Privileged" where value.isTrue: add(.privileged, "", "privileged container", value, at)
            case "CapAdd":
                for (cap, item, itemPath) in RiskScan.strings(value, at) { add(.capabilities, cap, "added capability \(quoted(cap))", item, itemPath) }
            case "PidMode", "IpcMode", "NetworkMode", "UsernsMode", "UTSMode", "CgroupnsMode":
                if value.stringValue == "host" { add(.hostNamespaces, member.key, "\(member.key) \"host\" (the host's namespace)", value, at) }
            case "Devices", "DeviceCgroupRules", "DeviceRequests":
                if !(value.elements ?? []).isEmpty { add(.devices, "", "host devices (\(member.key))", value, at) }
            case "SecurityOpt":
                for (option, item, itemPath) in RiskScan.strings(value, at) where RiskScan.isUnconfined(option) {
                    add(.unconfined, option, "security option \(quoted(option))", item, itemPath)
                }
            case "Binds":
                for (bind, item, itemPath) in RiskScan.strings(value, at) where bind.hasPrefix("/") {
                    self.hostPath(String(bind.prefix { $0 != ":" }), item, itemPath)
                }
            case "Mounts": mounts(value, at, source: "Source")
            default: break
            }
        }
    }

    /// A native ServiceSpec fragment (`swarm`).
    mutating func swarmFragment(_ node: JSONNode, _ path: JSONPath) {
        networks(node["Networks"], path.appending(key: "Networks"))
        guard let task = node["TaskTemplate"] else { return }
        let taskPath = path.appending(key: "TaskTemplate")
        networks(task["Networks"], taskPath.appending(key: "Networks"))
        guard let container = task["ContainerSpec"] else { return }
        let at = taskPath.appending(key: "ContainerSpec")
        if let image = container["Image"], let text = image.stringValue { self.image(text, image, at.appending(key: "Image")) }
        if let caps = container["CapabilityAdd"] {
            for (cap, item, itemPath) in RiskScan.strings(caps, at.appending(key: "CapabilityAdd")) {
                add(.capabilities, cap, "added capability \(quoted(cap))", item, itemPath)
            }
        }
        if let mounts = container["Mounts"] { self.mounts(mounts, at.appending(key: "Mounts"), source: "Source") }
        if let privileges = container["Privileges"] {
            let p = at.appending(key: "Privileges")
            if let mode = privileges["Seccomp"]?["Mode"], mode.stringValue == "unconfined" {
                add(.unconfined, "seccomp", "seccomp \"unconfined\"", mode, p.appending(key: "Seccomp").appending(key: "Mode"))
            }
            if let mode = privileges["AppArmor"]?["Mode"], mode.stringValue == "disabled" {
                add(.unconfined, "apparmor", "AppArmor \"disabled\"", mode, p.appending(key: "AppArmor").appending(key: "Mode"))
            }
            if let off = privileges["SELinuxContext"]?["Disable"], off.isTrue {
                add(.unconfined, "selinux", "SELinux disabled", off, p.appending(key: "SELinuxContext").appending(key: "Disable"))
            }
        }
    }

    /// Attaching a service to the "host" network gives it the host's network namespace.
    private mutating func networks(_ node: JSONNode?, _ path: JSONPath) {
        for (index, item) in (node?.elements ?? []).enumerated() {
            if let target = item["Target"], target.stringValue == "host" {
                add(.hostNamespaces, "network", "the \"host\" network (the host's network namespace)", target, path.appending(index: index).appending(key: "Target"))
            }
        }
    }

    /// `[{"Type": "bind", "Source": "/srv"}]`, Docker's and Swarm's mount lists. A volume of
    /// the local driver with `"o": "bind"` and an absolute `device` is a bind of the host too.
    private mutating func mounts(_ node: JSONNode, _ path: JSONPath, source key: String) {
        for (index, item) in (node.elements ?? []).enumerated() {
            let at = path.appending(index: index)
            if item["Type"]?.stringValue == "bind", let source = item[key], let text = source.stringValue {
                hostPath(text, source, at.appending(key: key))
            }
            if let options = item["VolumeOptions"]?["DriverConfig"]?["Options"], let device = options["device"],
               let text = device.stringValue, text.hasPrefix("/"),
               options["o"]?.stringValue?.split(separator: ",").contains(where: { $0 == "bind" || $0 == "rbind" }) == true {
                hostPath(text, device, at.appending(key: "VolumeOptions").appending(key: "DriverConfig").appending(key: "Options").appending(key: "device"))
            }
        }
    }

    /// Each string of an array with its node and path.
    static func strings(_ node: JSONNode, _ path: JSONPath) -> [(String, JSONNode, JSONPath)] {
        (node.elements ?? []).enumerated().compactMap { index, item in
            item.stringValue.map { ($0, item, path.appending(index: index)) }
        }
    }

    /// `seccomp=unconfined`, `apparmor=unconfined`, `label=disable`, `systempaths=unconfined`
    /// (and the older ':' spellings).
    static func isUnconfined(_ option: String) -> Bool {
        let lower = String(option.lowercased().map { $0 == ":" ? "=" : $0 })
        return lower.hasSuffix("=unconfined") || lower == "label=disable"
    }
}

extension JSONNode {
    var isTrue: Bool { if case .bool(true) = kind { true } else { false } }
}
