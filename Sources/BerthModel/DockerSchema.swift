/// The Engine API (1.41) create-container body, `POST /containers/create`, as a table: what a
/// spec's `docker` fragment may hold, at every level. A typo or a wrong type is caught with
/// its position instead of being ignored by the engine (an unknown key) or refused by it
/// after berth has started acting (a size written as "32m").
enum DockerSchema {
    typealias T = NativeType

    static let body = T.object("Docker create-container", config.merging([
        "HostConfig": .object("HostConfig", hostConfig),
        "NetworkingConfig": .object("NetworkingConfig", ["EndpointsConfig": .mapOf(.object("EndpointSettings", endpointSettings))]),
    ]) { $1 })

    /// ContainerConfig.
    static let config: [String: T] = [
        "Hostname": .string, "Domainname": .string, "User": .string,
        "AttachStdin": .bool, "AttachStdout": .bool, "AttachStderr": .bool,
        "ExposedPorts": .mapOf(.anything), "Tty": .bool, "OpenStdin": .bool, "StdinOnce": .bool,
        "Env": .strings, "Cmd": .stringOrStrings, "Healthcheck": .object("Healthcheck", healthcheck), "ArgsEscaped": .bool,
        "Image": .string, "Volumes": .mapOf(.anything), "WorkingDir": .string, "Entrypoint": .stringOrStrings,
        "NetworkDisabled": .bool, "MacAddress": .string, "OnBuild": .strings, "Labels": .labels,
        "StopSignal": .string, "StopTimeout": .atLeast(0), "Shell": .strings,
    ]

    /// HealthConfig, shared with Swarm's ContainerSpec.HealthCheck.
    static let healthcheck: [String: T] = [
        "Test": .strings, "Interval": .nanoseconds, "Timeout": .nanoseconds, "Retries": .atLeast(0), "StartPeriod": .nanoseconds,
    ]

    static let hostConfig: [String: T] = resources.merging([
        "Binds": .strings, "ContainerIDFile": .string,
        "LogConfig": .object("LogConfig", ["Type": .string, "Config": .stringMap]),
        "NetworkMode": .string,
        "PortBindings": .mapOf(.arrayOf(.object("PortBinding", ["HostIp": .string, "HostPort": .string]))),
        "RestartPolicy": .object("RestartPolicy", [
            "Name": .oneOf(what: "restart policy name", ["", "no", "always", "unless-stopped", "on-failure"]),
            "MaximumRetryCount": .atLeast(0),
        ]),
        "AutoRemove": .bool, "VolumeDriver": .string, "VolumesFrom": .strings,
        "Mounts": .arrayOf(.object("Mount", mount)),
        "CapAdd": .strings, "CapDrop": .strings,
        "CgroupnsMode": .oneOf(what: "cgroup namespace mode", ["", "private", "host"]),
        "Dns": .strings, "DnsOptions": .strings, "DnsSearch": .strings, "ExtraHosts": .strings, "GroupAdd": .strings,
        "IpcMode": .string, "Cgroup": .string, "Links": .strings, "OomScoreAdj": .range(-1000, 1000),
        "PidMode": .string, "Privileged": .bool, "PublishAllPorts": .bool, "ReadonlyRootfs": .bool,
        "SecurityOpt": .strings, "StorageOpt": .stringMap, "Tmpfs": .stringMap, "UTSMode": .string, "UsernsMode": .string,
        "ShmSize": .bytes, "Sysctls": .stringMap, "Runtime": .string, "ConsoleSize": .arrayOf(.atLeast(0)),
        "Isolation": .oneOf(what: "isolation", ["", "default", "process", "hyperv"]),
        "MaskedPaths": .strings, "ReadonlyPaths": .strings,
    ]) { $1 }

    /// Resources, the part of HostConfig that `docker update` can also change.
    static let resources: [String: T] = [
        "CpuShares": .atLeast(0), "Memory": .bytes, "CgroupParent": .string,
        "BlkioWeight": .range(0, 1000),
        "BlkioWeightDevice": .arrayOf(.object("WeightDevice", ["Path": .string, "Weight": .range(0, 1000)])),
        "BlkioDeviceReadBps": .arrayOf(.object("ThrottleDevice", throttle)),
        "BlkioDeviceWriteBps": .arrayOf(.object("ThrottleDevice", throttle)),
        "BlkioDeviceReadIOps": .arrayOf(.object("ThrottleDevice", throttle)),
        "BlkioDeviceWriteIOps": .arrayOf(.object("ThrottleDevice", throttle)),
        "CpuPeriod": .range(0, 1_000_000), "CpuQuota": .atLeast(-1),
        "CpuRealtimePeriod": .atLeast(0), "CpuRealtimeRuntime": .atLeast(0),
        "CpusetCpus": .string, "CpusetMems": .string,
        "Devices": .arrayOf(.object("DeviceMapping", ["PathOnHost": .string, "PathInContainer": .string, "CgroupPermissions": .string])),
        "DeviceCgroupRules": .strings,
        "DeviceRequests": .arrayOf(.object("DeviceRequest", [
            "Driver": .string, "Count": .atLeast(-1), "DeviceIDs": .strings,
            "Capabilities": .arrayOf(.strings), "Options": .stringMap,
        ])),
        "KernelMemory": .bytes, "KernelMemoryTCP": .bytes, "MemoryReservation": .bytes,
        // The engine takes any negative swap or pids limit as "unlimited": not refused here either.
        "MemorySwap": .integer, "MemorySwappiness": .range(-1, 100),
        "NanoCpus": .atLeast(0), "OomKillDisable": .bool, "Init": .bool, "PidsLimit": .integer,
        "Ulimits": .arrayOf(.object("Ulimit", ["Name": .string, "Soft": .integer, "Hard": .integer])),
        "CpuCount": .atLeast(0), "CpuPercent": .range(0, 100),
        "IOMaximumIOps": .atLeast(0), "IOMaximumBandwidth": .atLeast(0),
    ]

    static let throttle: [String: T] = ["Path": .string, "Rate": .atLeast(0)]

    /// Mount, shared with Swarm's ContainerSpec.Mounts.
    static let mount: [String: T] = [
        "Target": .string, "Source": .string,
        "Type": .oneOf(what: "mount type", ["bind", "volume", "tmpfs", "npipe"]),
        "ReadOnly": .bool,
        "Consistency": .oneOf(what: "mount consistency", ["", "default", "consistent", "cached", "delegated"]),
        "BindOptions": .object("BindOptions", [
            "Propagation": .oneOf(what: "bind propagation", ["", "private", "rprivate", "shared", "rshared", "slave", "rslave"]),
            "NonRecursive": .bool,
        ]),
        "VolumeOptions": .object("VolumeOptions", [
            "NoCopy": .bool, "Labels": .stringMap,
            "DriverConfig": .object("DriverConfig", ["Name": .string, "Options": .stringMap]),
        ]),
        "TmpfsOptions": .object("TmpfsOptions", ["SizeBytes": .bytes, "Mode": .atLeast(0)]),
    ]

    static let endpointSettings: [String: T] = [
        "IPAMConfig": .object("EndpointIPAMConfig", ["IPv4Address": .string, "IPv6Address": .string, "LinkLocalIPs": .strings]),
        "Links": .strings, "Aliases": .strings, "NetworkID": .string, "EndpointID": .string,
        "Gateway": .string, "IPAddress": .string, "IPPrefixLen": .atLeast(0), "IPv6Gateway": .string,
        "GlobalIPv6Address": .string, "GlobalIPv6PrefixLen": .atLeast(0), "MacAddress": .string, "DriverOpts": .stringMap,
    ]
}
