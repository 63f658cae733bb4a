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
        } else if member.key == "extra_hosts" {
            // A mapping `name: ip` or a list of `name:ip` / `name=ip`; the engine wants `name:ip`.
            var hosts: [String] = []
            if let members = node.members {
                for host in members { if let ip = text(host.value, "\(path).\(host.key)") { hosts.append("\(host.key):\(ip)") } }
            } else if let values = texts(node, path, split: false) {
                hosts = values.map { $0.contains("=") && !$0.contains(":") ? $0.replacingOccurrences(of: "=", with: ":") : $0 }
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
}
