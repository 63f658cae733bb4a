/// The top-level keys of the Engine's create-container body (API 1.41) and the JSON type
/// each must have, so a typo or a wrong type in a native descriptor is caught with its
/// position instead of being silently ignored or rejected later by the engine.
enum DockerBodyKeys {
    enum Expected: CustomStringConvertible {
        case string, bool, integer, object, array, stringArray, stringOrStringArray, stringMap

        func matches(_ node: JSONNode) -> Bool {
            switch (self, node.kind) {
            case (.string, .string), (.bool, .bool), (.object, .object), (.array, .array): return true
            case (.integer, .number(let n)): return Int(n) != nil
            case (.stringArray, .array(let items)), (.stringOrStringArray, .array(let items)):
                return items.allSatisfy { if case .string = $0.kind { true } else { false } }
            case (.stringOrStringArray, .string): return true
            case (.stringMap, .object(let members)):
                return members.allSatisfy { if case .string = $0.value.kind { true } else { false } }
            default: return false
            }
        }

        var description: String {
            switch self {
            case .string: "a string"
            case .bool: "a boolean"
            case .integer: "an integer"
            case .object: "an object"
            case .array: "an array"
            case .stringArray: "an array of strings"
            case .stringOrStringArray: "a string or an array of strings"
            case .stringMap: "an object of strings"
            }
        }
    }

    static let types: [String: Expected] = [
        "Hostname": .string, "Domainname": .string, "User": .string,
        "AttachStdin": .bool, "AttachStdout": .bool, "AttachStderr": .bool,
        "ExposedPorts": .object, "Tty": .bool, "OpenStdin": .bool, "StdinOnce": .bool,
        "Env": .stringArray, "Cmd": .stringOrStringArray, "Healthcheck": .object, "ArgsEscaped": .bool,
        "Image": .string, "Volumes": .object, "WorkingDir": .string, "Entrypoint": .stringOrStringArray,
        "NetworkDisabled": .bool, "MacAddress": .string, "OnBuild": .stringArray, "Labels": .stringMap,
        "StopSignal": .string, "StopTimeout": .integer, "Shell": .stringArray,
        "HostConfig": .object, "NetworkingConfig": .object,
    ]
}
