/// The ServiceSpec (Engine API 1.41) as a table: what a spec's `swarm` fragment may hold, at
/// every level berth describes. Parts shared with the create-container body (Mount,
/// HealthConfig) come from DockerSchema.
enum SwarmSchema {
    typealias T = NativeType

    static let serviceSpec = T.object("ServiceSpec", [
        // The service name is how berth finds its service again; a fragment must not rename it.
        "Name": .refused("the service name is berth's (OWNER-NAME); set the spec's \"name\" instead"),
        "Labels": .labels,
        "TaskTemplate": .object("TaskTemplate", taskTemplate),
        "Mode": .object("Mode", mode),
        "UpdateConfig": .object("UpdateConfig", updateConfig), "RollbackConfig": .object("RollbackConfig", updateConfig),
        "Networks": .arrayOf(.object("NetworkAttachmentConfig", networkAttachment)),
        "EndpointSpec": .object("EndpointSpec", endpointSpec),
    ])

    static let taskTemplate: [String: T] = [
        "ContainerSpec": .object("ContainerSpec", containerSpec),
        "PluginSpec": .anything, "NetworkAttachmentSpec": .object("NetworkAttachmentSpec", ["ContainerID": .string]),
        "Resources": .object("Resources", [
            "Limits": .object("Limits", ["NanoCPUs": .atLeast(0), "MemoryBytes": .bytes, "Pids": .atLeast(0)]),
            "Reservations": .object("Reservations", ["NanoCPUs": .atLeast(0), "MemoryBytes": .bytes, "GenericResources": .arrayOf(.anything)]),
        ]),
        "RestartPolicy": .object("RestartPolicy", [
            "Condition": .oneOf(what: "restart condition", ["none", "on-failure", "any"]),
            "Delay": .nanoseconds, "MaxAttempts": .atLeast(0), "Window": .nanoseconds,
        ]),
        "Placement": .object("Placement", [
            "Constraints": .strings,
            "Preferences": .arrayOf(.object("PlacementPreference", ["Spread": .object("Spread", ["SpreadDescriptor": .string])])),
            "MaxReplicas": .atLeast(0),
            "Platforms": .arrayOf(.object("Platform", ["Architecture": .string, "OS": .string])),
        ]),
        "ForceUpdate": .atLeast(0), "Runtime": .string,
        "Networks": .arrayOf(.object("NetworkAttachmentConfig", networkAttachment)),
        "LogDriver": .object("LogDriver", ["Name": .string, "Options": .stringMap]),
    ]

    static let containerSpec: [String: T] = [
        "Image": .string, "Labels": .labels, "Command": .strings,
        "Args": .strings, "Hostname": .string, "Env": .strings,
        "Dir": .string, "User": .string, "Groups": .strings,
        "Privileges": .object("Privileges", ["CredentialSpec": .anything, "SELinuxContext": .anything]),
        "TTY": .bool, "OpenStdin": .bool,
        "ReadOnly": .bool, "Mounts": .arrayOf(.object("Mount", DockerSchema.mount)), "StopSignal": .string,
        "StopGracePeriod": .nanoseconds, "HealthCheck": .object("HealthCheck", DockerSchema.healthcheck), "Hosts": .strings,
        "DNSConfig": .object("DNSConfig", ["Nameservers": .strings, "Search": .strings, "Options": .strings]),
        "Secrets": .arrayOf(.anything), "Configs": .arrayOf(.anything),
        "Isolation": .oneOf(what: "isolation", ["", "default", "process", "hyperv"]), "Init": .bool, "Sysctls": .stringMap,
        "CapabilityAdd": .strings, "CapabilityDrop": .strings,
        "Ulimits": .arrayOf(.object("Ulimit", ["Name": .string, "Soft": .integer, "Hard": .integer])),
    ]

    static let mode: [String: T] = [
        "Replicated": .object("Mode.Replicated", ["Replicas": .integer]),
        "Global": .object("Mode.Global", [:]),
    ]

    static let updateConfig: [String: T] = [
        "Parallelism": .atLeast(0), "Delay": .nanoseconds,
        "FailureAction": .oneOf(what: "failure action", ["continue", "pause", "rollback"]),
        "Monitor": .nanoseconds, "MaxFailureRatio": .number,
        "Order": .oneOf(what: "update order", ["stop-first", "start-first"]),
    ]

    static let networkAttachment: [String: T] = ["Target": .string, "Aliases": .strings, "DriverOpts": .stringMap]

    static let endpointSpec: [String: T] = [
        "Mode": .oneOf(what: "endpoint mode", ["vip", "dnsrr"]),
        "Ports": .arrayOf(.object("PortConfig", [
            "Name": .string, "Protocol": .oneOf(what: "protocol", ["tcp", "udp", "sctp"]),
            "TargetPort": .range(0, 65535), "PublishedPort": .range(0, 65535),
            "PublishMode": .oneOf(what: "publish mode", ["ingress", "host"]),
        ])),
    ]
}
