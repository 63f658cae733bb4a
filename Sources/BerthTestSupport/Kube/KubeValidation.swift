import BerthJSON

/// The checks of kube-apiserver that berth's specs can run into, with its messages.
enum KubeValidation {
    /// The typed-patch check of an apply: a wrongly typed field is a 500, not a 4xx.
    static func checkApplyTypes(_ body: JSONValue, key: KubeObjectKey) throws(KubeStatus) {
        // The typed patch names the core group as "" ("/v1, Kind=ConfigMap").
        let version = key.kind.group.isEmpty ? "/\(key.kind.version)" : key.kind.apiVersion
        let numeric: [[String]] = [["spec", "replicas"], ["spec", "revisionHistoryLimit"], ["spec", "progressDeadlineSeconds"]]
        for path in numeric {
            guard let value = path.reduce(Optional(body), { $0?[$1] }) else { continue }
            if case .number = value { continue }
            if value == .null { continue }
            throw .internalError("failed to create typed patch object (/\(key.name); \(version), Kind=\(key.kind.kind)): "
                                 + ".\(path.joined(separator: ".")): expected numeric (int or float), got \(goTypeName(value))")
        }
        for map in ["labels", "annotations"] {
            for (name, value) in body["metadata"]?[map]?.objectValue ?? [:] where value.stringValue == nil {
                throw .internalError("failed to create typed patch object (/\(key.name); \(version), Kind=\(key.kind.kind)): "
                                     + ".metadata.\(map).\(name): expected string, got \(goTypeName(value))")
            }
        }
    }

    private static func goTypeName(_ value: JSONValue) -> String {
        switch value {
        case .string: return "string"
        case .number: return "numeric"
        case .bool: return "bool"
        case .array: return "list"
        case .object: return "map"
        case .null: return "null"
        }
    }

    /// Validation of the object about to be stored (422 Invalid listing every cause).
    static func validate(_ object: JSONValue, key: KubeObjectKey, old: JSONValue?) throws(KubeStatus) {
        var causes: [KubeStatus.Cause] = []
        let workloads: Set<String> = ["deployments", "statefulsets", "daemonsets", "replicasets"]
        if key.kind.group == "apps" && workloads.contains(key.kind.plural) {
            causes += workloadCauses(object, old: old)
        }
        if !causes.isEmpty { throw .invalid(key.kind, name: key.name, causes: causes) }
    }

    private static func workloadCauses(_ object: JSONValue, old: JSONValue?) -> [KubeStatus.Cause] {
        var causes: [KubeStatus.Cause] = []
        let spec = object["spec"]
        if let replicas = spec?["replicas"]?.intValue, replicas < 0 {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(replicas): must be greater than or equal to 0",
                                field: "spec.replicas"))
        }
        let matchLabels = (spec?["selector"]?["matchLabels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let templateLabels = (spec?["template"]?["metadata"]?["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        if spec?["selector"] == nil {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.selector"))
        } else if matchLabels.isEmpty && spec?["selector"]?["matchExpressions"] == nil {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(goSelector(matchLabels)): empty selector is "
                                + "invalid for deployment", field: "spec.selector"))
        } else if !matchLabels.allSatisfy({ templateLabels[$0.key] == $0.value }) {
            causes.append(.init(reason: "FieldValueInvalid",
                                message: "Invalid value: \(goMap(templateLabels)): `selector` does not match template `labels`",
                                field: "spec.template.metadata.labels"))
        }
        let containers = spec?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        if containers.isEmpty {
            causes.append(.init(reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers"))
        }
        for (index, container) in containers.enumerated() {
            if (container["image"]?.stringValue ?? "").isEmpty {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value",
                                    field: "spec.template.spec.containers[\(index)].image"))
            }
            if (container["name"]?.stringValue ?? "").isEmpty {
                causes.append(.init(reason: "FieldValueRequired", message: "Required value",
                                    field: "spec.template.spec.containers[\(index)].name"))
            }
        }
        if let old, let oldSelector = old["spec"]?["selector"], let selector = spec?["selector"], oldSelector != selector {
            causes.append(.init(reason: "FieldValueInvalid", message: "Invalid value: \(goSelector(matchLabels)): field is immutable",
                                field: "spec.selector"))
        }
        return causes
    }

    /// Go's `%#v` of a map[string]string, as the real messages print label maps.
    static func goMap(_ map: [String: String]) -> String {
        "map[string]string{" + map.keys.sorted().map { "\"\($0)\":\"\(map[$0]!)\"" }.joined(separator: ", ") + "}"
    }

    static func goSelector(_ matchLabels: [String: String]) -> String {
        "v1.LabelSelector{MatchLabels:\(goMap(matchLabels)), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}"
    }
}
