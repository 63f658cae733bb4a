import BerthSystem
import BerthJSON

/// Compose keys with no portable spec field that the engine's create body carries as they
/// are: written into the spec's `docker` fragment, where berth checks them like any other.
extension ComposeImport {
    /// Config keys taking one string.
    static let configStrings = ["user": "User", "working_dir": "WorkingDir", "hostname": "Hostname",
                                "domainname": "Domainname", "stop_signal": "StopSignal"]
    /// Config and HostConfig keys taking a boolean.
    static let configBools = ["tty": "Tty", "stdin_open": "OpenStdin"]
    static let hostBools = ["privileged": "Privileged", "read_only": "ReadonlyRootfs"]
    /// HostConfig keys taking a list of strings.
    static let hostLists = ["cap_add": "CapAdd", "cap_drop": "CapDrop", "dns": "Dns", "dns_search": "DnsSearch",
                            "dns_opt": "DnsOptions", "group_add": "GroupAdd", "security_opt": "SecurityOpt"]

    /// Translates `member` into the fragment if it is one of these keys; false if it is not.
    mutating func native(_ member: JSONMember, _ path: String, docker: inout [String: JSONValue],
                         hostConfig: inout [String: JSONValue]) -> Bool {
        let node = member.value
        if let key = Self.configStrings[member.key] {
            if let value = text(node, path) { docker[key] = .string(value) }
        } else if let key = Self.configBools[member.key] ?? Self.hostBools[member.key] {
            guard case .bool(let flag) = node.kind else {
                fail(node, path, "expected true or false, got \(node.typeName)")
                return true
            }
            if Self.configBools[member.key] != nil { docker[key] = .bool(flag) } else { hostConfig[key] = .bool(flag) }
        } else if let key = Self.hostLists[member.key] {
            if let values = texts(node, path, split: false) { hostConfig[key] = .array(values.map(JSONValue.string)) }
        } else if let key = ["mem_limit": "Memory", "mem_reservation": "MemoryReservation"][member.key] {
            if let text = text(node, path) {
                if let bytes = Self.bytes(text) { hostConfig[key] = .number(String(bytes)) } else { fail(node, path, "\"\(text)\" is not a size like 64m or 1g") }
            }
        } else if member.key == "cpus" {
            if let text = text(node, path) {
                if let cpus = Double(text), cpus >= 0 { hostConfig["NanoCpus"] = .number(String(Int64(cpus * 1e9))) } else { fail(node, path, "\"\(text)\" is not a number of CPUs like 0.5") }
            }
        } else if member.key == "pids_limit" {
            if case .number(let n) = node.kind, Int(n) != nil { hostConfig["PidsLimit"] = .number(n) } else { fail(node, path, "expected a whole number, got \(node.typeName)") }
        } else if member.key == "extra_hosts" {
            // A mapping `name: ip` or a list of `name:ip` / `name=ip`; the engine wants `name:ip`.
            var hosts: [String] = []
            if let members = node.members {
                for host in members { if let ip = text(host.value, "\(path).\(host.key)") { hosts.append("\(host.key):\(ip)") } }
            } else if let values = texts(node, path, split: false) {
                hosts = values.map { $0.contains("=") && !$0.contains(":") ? $0.replacingAll("=", with: ":") : $0 }
            }
            hostConfig["ExtraHosts"] = .array(hosts.map(JSONValue.string))
        } else if member.key == "logging" {
            var config: [String: JSONValue] = [:]
            for setting in node.members ?? [] {
                switch setting.key {
                case "driver": if let driver = text(setting.value, "\(path).driver") { config["Type"] = .string(driver) }
                case "options":
                    var options: [String: JSONValue] = [:]
                    for (key, _, value) in pairs(setting.value, "\(path).options") ?? [] { options[key] = .string(value ?? "") }
                    config["Config"] = .object(options)
                default:
                    note(setting.keyPosition, "\(path).\(setting.key)", "not translated (berth's logging takes driver and options)")
                }
            }
            hostConfig["LogConfig"] = .object(config)
        } else {
            return false
        }
        return true
    }

    /// `deploy.resources`: limits of memory, CPUs and pids, and the memory reservation.
    mutating func resources(_ node: JSONNode, _ path: String, hostConfig: inout [String: JSONValue]) {
        for group in node.members ?? [] {
            for setting in group.value.members ?? [] {
                let settingPath = "\(path).\(group.key).\(setting.key)"
                let key: String?
                switch (group.key, setting.key) {
                case ("limits", "memory"): key = "mem_limit"
                case ("limits", "cpus"): key = "cpus"
                case ("limits", "pids"): key = "pids_limit"
                case ("reservations", "memory"): key = "mem_reservation"
                default: key = nil
                }
                guard let key else {
                    note(setting.keyPosition, settingPath, "not translated (berth's resources take limits.memory, limits.cpus, limits.pids and reservations.memory)")
                    continue
                }
                var ignored: [String: JSONValue] = [:]
                _ = native(JSONMember(key: key, keyPosition: setting.keyPosition, value: setting.value), settingPath, docker: &ignored, hostConfig: &hostConfig)
            }
        }
    }

    /// Compose sizes: `1024`, `64k`, `64m`, `1.5g`, `64mb` (powers of 1024, as the engine).
    static func bytes(_ text: String) -> Int64? {
        let lower = text.lowercased()
        let units: [(String, Double)] = [("kb", 1024), ("mb", 1_048_576), ("gb", 1_073_741_824), ("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824), ("b", 1)]
        var scale = 1.0
        var number = Substring(lower)
        if let unit = units.first(where: { lower.hasSuffix($0.0) }) {
            scale = unit.1
            number = number.dropLast(unit.0.count)
        }
        guard let value = Double(number), value >= 0, value * scale < 9e18 else { return nil }
        return Int64(value * scale)
    }
}
