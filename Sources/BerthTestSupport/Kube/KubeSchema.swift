import BerthJSON

/// The type checks kube-apiserver makes before it stores anything, with its two ways of
/// saying so: server-side apply builds a typed patch and answers 500 "failed to create typed
/// patch object" (with or without fieldValidation=Strict), a create decodes JSON into Go
/// structs and answers 400 "cannot be handled as a Deployment". Only the fields berth's
/// tests reach are known: a Deployment's spec, container ports, ConfigMap and Secret data.
enum KubeSchema {
    /// What is wrong: the field path in the typed patch's form and the problem.
    struct Problem {
        var path: String
        var message: String
        /// For a create's message: the Go struct field and its type, when a type is wrong.
        var goField: (field: String, type: String)?
        var unknownField: String?
    }

    static let deploymentSpecFields: Set<String> = [
        "replicas", "selector", "template", "strategy", "minReadySeconds", "revisionHistoryLimit", "paused",
        "progressDeadlineSeconds",
    ]

    static func problem(in body: JSONValue, kind: KubeResourceKind) -> Problem? {
        if kind.isDeployment, let spec = body["spec"]?.objectValue {
            for field in ["replicas", "revisionHistoryLimit", "progressDeadlineSeconds", "minReadySeconds"] {
                guard let value = spec[field], value != .null, !isNumber(value) else { continue }
                return Problem(path: ".spec.\(field)", message: "expected numeric (int or float), got \(typeName(value))",
                               goField: ("DeploymentSpec.spec.\(field)", "int32"))
            }
            for field in spec.keys.sorted() where !deploymentSpecFields.contains(field) {
                return Problem(path: ".spec.\(field)", message: "field not declared in schema", unknownField: "spec.\(field)")
            }
            for container in body["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? [] {
                let name = container["name"]?.stringValue ?? ""
                for port in container["ports"]?.arrayValue ?? [] {
                    guard let value = port["containerPort"], !isNumber(value) else { continue }
                    let protocolName = port["protocol"]?.stringValue ?? "TCP"
                    let shown = value.stringValue ?? value.canonicalText
                    return Problem(
                        path: ".spec.template.spec.containers[name=\"\(name)\"].ports[containerPort=\"\(shown)\",protocol=\"\(protocolName)\"].containerPort",
                        message: "expected numeric (int or float), got \(typeName(value))",
                        goField: ("ContainerPort.spec.template.spec.containers.ports.containerPort", "int32"))
                }
            }
        }
        if kind.group.isEmpty && (kind.plural == "configmaps" || kind.plural == "secrets") {
            for map in ["data", "stringData", "binaryData"] {
                for (key, value) in (body[map]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) where value.stringValue == nil {
                    return Problem(path: ".\(map).\(key)", message: "expected string, got &value.valueUnstructured{Value:\(value.canonicalText)}",
                                   goField: ("\(kind.kind).\(map)", "string"))
                }
            }
        }
        return nil
    }

    /// The apply's answer: 500, no reason, fieldValidation makes no difference.
    static func checkApply(_ body: JSONValue, key: KubeObjectKey) throws(KubeStatus) {
        guard let problem = problem(in: body, kind: key.kind) else { return }
        let version = key.kind.group.isEmpty ? "/\(key.kind.version)" : key.kind.apiVersion
        throw .internalError("failed to create typed patch object (/\(key.name); \(version), Kind=\(key.kind.kind)): "
                             + "\(problem.path): \(problem.message)")
    }

    /// A create's answer: a wrong type is a JSON decoding error; an unknown field is refused
    /// only with fieldValidation=Strict (otherwise the real server drops it with a warning).
    static func checkCreate(_ body: JSONValue, kind: KubeResourceKind, strict: Bool) throws(KubeStatus) {
        guard let problem = problem(in: body, kind: kind) else { return }
        let prefix = "\(kind.kind) in version \"\(kind.version)\" cannot be handled as a \(kind.kind): "
        if let go = problem.goField {
            throw .badRequest(prefix + "json: cannot unmarshal \(typeName(body, at: problem)) into Go struct field \(go.field) of type \(go.type)")
        }
        if let unknown = problem.unknownField, strict {
            throw .badRequest(prefix + "strict decoding error: unknown field \"\(unknown)\"")
        }
    }

    private static func typeName(_ body: JSONValue, at problem: Problem) -> String {
        problem.message.hasSuffix("got string") ? "string" : "number"
    }

    private static func isNumber(_ value: JSONValue) -> Bool {
        if case .number = value { return true }
        return false
    }

    private static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .string: return "string"
        case .number: return "numeric"
        case .bool: return "bool"
        case .array: return "list"
        case .object: return "map"
        case .null: return "null"
        }
    }
}
