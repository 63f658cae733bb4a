import BerthJSON
import Foundation

/// The defaults kube-apiserver fills in, so a client's drift check sees what a real
/// cluster returns (a client that compares its spec naively with these will see drift,
/// as it would on a real cluster). Only absent fields are filled.
enum KubeDefaults {
    static func applied(to object: JSONValue, kind: KubeResourceKind, allocateIP: () -> String) -> JSONValue {
        guard case .object(var fields) = object else { return object }
        let workloads = ["deployments", "statefulsets", "daemonsets", "replicasets", "jobs"]
        switch (kind.group, kind.plural) {
        case ("", "namespaces"):
            fields["metadata"] = settingDefault(fields["metadata"], ["labels", "kubernetes.io/metadata.name"],
                                                fields["metadata"]?["name"] ?? .string(""))
            fields["spec"] = settingDefault(fields["spec"], ["finalizers"], .array([.string("kubernetes")]))
            fields["status"] = settingDefault(fields["status"], ["phase"], .string("Active"))
        case ("", "services"):
            fields["spec"] = serviceSpec(fields["spec"] ?? .object([:]), allocateIP: allocateIP)
            fields["status"] = fields["status"] ?? .object(["loadBalancer": .object([:])])
        case ("", "secrets"):
            fields["type"] = fields["type"] ?? .string("Opaque")
            // stringData is write-only: merged into data as base64 and never stored.
            if let strings = fields["stringData"]?.objectValue {
                var data = fields["data"]?.objectValue ?? [:]
                for (key, value) in strings { data[key] = .string(Data((value.stringValue ?? "").utf8).base64EncodedString()) }
                fields["data"] = .object(data)
                fields["stringData"] = nil
            }
        case ("", "pods"):
            fields["spec"] = podSpec(fields["spec"] ?? .object([:]))
            fields["status"] = fields["status"] ?? .object(["phase": .string("Pending"), "qosClass": .string("BestEffort")])
        case ("apps", let plural) where workloads.contains(plural), ("batch", let plural) where workloads.contains(plural):
            var spec = fields["spec"]?.objectValue ?? [:]
            if plural != "jobs" && plural != "daemonsets" { spec["replicas"] = spec["replicas"] ?? .number("1") }
            if plural == "deployments" {
                spec["strategy"] = spec["strategy"] ?? .object(["type": .string("RollingUpdate"), "rollingUpdate": .object([
                    "maxUnavailable": .string("25%"), "maxSurge": .string("25%")])])
                spec["revisionHistoryLimit"] = spec["revisionHistoryLimit"] ?? .number("10")
                spec["progressDeadlineSeconds"] = spec["progressDeadlineSeconds"] ?? .number("600")
            }
            if let template = spec["template"], case .object(var templateFields) = template {
                var metadata = templateFields["metadata"]?.objectValue ?? [:]
                if metadata["creationTimestamp"] == nil { metadata["creationTimestamp"] = .null }
                templateFields["metadata"] = .object(metadata)
                if let podSpec = templateFields["spec"] { templateFields["spec"] = self.podSpec(podSpec) }
                spec["template"] = .object(templateFields)
            }
            fields["spec"] = .object(spec)
            fields["status"] = fields["status"] ?? .object([:])
        default:
            break
        }
        return .object(fields)
    }

    static func podSpec(_ spec: JSONValue) -> JSONValue {
        guard case .object(var fields) = spec else { return spec }
        for (name, value) in [("restartPolicy", JSONValue.string("Always")), ("terminationGracePeriodSeconds", .number("30")),
                              ("dnsPolicy", .string("ClusterFirst")), ("securityContext", .object([:])),
                              ("schedulerName", .string("default-scheduler"))] where fields[name] == nil {
            fields[name] = value
        }
        for list in ["containers", "initContainers"] {
            guard let containers = fields[list]?.arrayValue else { continue }
            fields[list] = .array(containers.map(container))
        }
        return .object(fields)
    }

    static func container(_ container: JSONValue) -> JSONValue {
        guard case .object(var fields) = container else { return container }
        let image = fields["image"]?.stringValue ?? ""
        let lastPart = image.split(separator: "/").last.map(String.init) ?? image
        let tagged = lastPart.contains(":") || image.contains("@")
        let pullPolicy = !tagged || image.hasSuffix(":latest") ? "Always" : "IfNotPresent"
        for (name, value) in [("resources", JSONValue.object([:])), ("terminationMessagePath", .string("/dev/termination-log")),
                              ("terminationMessagePolicy", .string("File")), ("imagePullPolicy", .string(pullPolicy))]
            where fields[name] == nil {
            fields[name] = value
        }
        if let ports = fields["ports"]?.arrayValue {
            fields["ports"] = .array(ports.map { port in
                guard case .object(var portFields) = port else { return port }
                portFields["protocol"] = portFields["protocol"] ?? .string("TCP")
                return .object(portFields)
            })
        }
        if case .object(var resources)? = fields["resources"] {
            for list in ["limits", "requests"] {
                guard let quantities = resources[list]?.objectValue else { continue }
                resources[list] = .object(quantities.mapValues(canonicalQuantity))
            }
            fields["resources"] = .object(resources)
        }
        return .object(fields)
    }

    /// Quantities are typed on the real server: a number or a string in, its canonical string out.
    /// What is not a quantity is left for validation to refuse.
    static func canonicalQuantity(_ value: JSONValue) -> JSONValue {
        let text: String
        switch value {
        case .string(let written), .number(let written): text = written
        default: return value
        }
        return KubeCanonicalQuantity.canonical(text).map { .string($0) } ?? value
    }

    static func serviceSpec(_ spec: JSONValue, allocateIP: () -> String) -> JSONValue {
        guard case .object(var fields) = spec else { return spec }
        fields["type"] = fields["type"] ?? .string("ClusterIP")
        if fields["clusterIP"] == nil {
            let address = allocateIP()
            fields["clusterIP"] = .string(address)
            fields["clusterIPs"] = .array([.string(address)])
        }
        for (name, value) in [("sessionAffinity", JSONValue.string("None")), ("ipFamilies", .array([.string("IPv4")])),
                              ("ipFamilyPolicy", .string("SingleStack")), ("internalTrafficPolicy", .string("Cluster"))]
            where fields[name] == nil {
            fields[name] = value
        }
        if let ports = fields["ports"]?.arrayValue {
            fields["ports"] = .array(ports.map { port in
                guard case .object(var portFields) = port else { return port }
                portFields["protocol"] = portFields["protocol"] ?? .string("TCP")
                portFields["targetPort"] = portFields["targetPort"] ?? portFields["port"]
                return .object(portFields)
            })
        }
        return .object(fields)
    }

    /// `node` with `value` at `path` unless something is there already.
    static func settingDefault(_ node: JSONValue?, _ path: [String], _ value: JSONValue) -> JSONValue {
        guard let first = path.first else { return node ?? value }
        var fields = node?.objectValue ?? [:]
        if path.count == 1 {
            if fields[first] == nil { fields[first] = value }
        } else {
            fields[first] = settingDefault(fields[first], Array(path.dropFirst()), value)
        }
        return .object(fields)
    }
}
