/// The ServiceSpec keys (Engine API 1.41) berth checks in a `swarm` fragment, with their JSON
/// types. Levels listed here refuse unknown keys; deeper levels are passed to the engine as
/// they are.
enum SwarmSchema {
    typealias Expected = DockerBodyKeys.Expected

    indirect enum Field: Sendable {
        case value(Expected)
        case object(String, @Sendable () -> [String: Field])
    }

    static let serviceSpec: [String: Field] = [
        "Name": .value(.string), "Labels": .value(.stringMap),
        "TaskTemplate": .object("TaskTemplate", { taskTemplate }),
        "Mode": .object("Mode", { mode }),
        "UpdateConfig": .value(.object), "RollbackConfig": .value(.object),
        "Networks": .value(.array), "EndpointSpec": .value(.object),
    ]

    static let taskTemplate: [String: Field] = [
        "ContainerSpec": .object("ContainerSpec", { containerSpec }),
        "PluginSpec": .value(.object), "NetworkAttachmentSpec": .value(.object),
        "Resources": .value(.object), "RestartPolicy": .value(.object), "Placement": .value(.object),
        "ForceUpdate": .value(.integer), "Runtime": .value(.string), "Networks": .value(.array),
        "LogDriver": .value(.object),
    ]

    static let containerSpec: [String: Field] = [
        "Image": .value(.string), "Labels": .value(.stringMap), "Command": .value(.stringArray),
        "Args": .value(.stringArray), "Hostname": .value(.string), "Env": .value(.stringArray),
        "Dir": .value(.string), "User": .value(.string), "Groups": .value(.stringArray),
        "Privileges": .value(.object), "TTY": .value(.bool), "OpenStdin": .value(.bool),
        "ReadOnly": .value(.bool), "Mounts": .value(.array), "StopSignal": .value(.string),
        "StopGracePeriod": .value(.integer), "HealthCheck": .value(.object), "Hosts": .value(.stringArray),
        "DNSConfig": .value(.object), "Secrets": .value(.array), "Configs": .value(.array),
        "Isolation": .value(.string), "Init": .value(.bool), "Sysctls": .value(.stringMap),
        "CapabilityAdd": .value(.stringArray), "CapabilityDrop": .value(.stringArray), "Ulimits": .value(.array),
    ]

    static let mode: [String: Field] = [
        "Replicated": .object("Mode.Replicated", { ["Replicas": .value(.integer)] }),
        "Global": .value(.object),
    ]
}
