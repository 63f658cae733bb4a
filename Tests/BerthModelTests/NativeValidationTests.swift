import BerthJSON
@testable import BerthModel
import Testing

/// Deep validation of native fragments: each bad key, type and value at several depths of the
/// `docker` and `swarm` fragments, with the exact line a person sees.
struct NativeValidationTests {
    struct Bad: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: [String]
        var testDescription: String { input }
    }

    static func docker(_ fragment: String) -> String { #"{"name": "w", "image": "b:1", "docker": "# + fragment + "}" }
    static func swarm(_ fragment: String) -> String { #"{"name": "w", "target": "swarm", "image": "b:1", "swarm": "# + fragment + "}" }

    static let bad: [Bad] = [
        // docker: HostConfig
        Bad(input: docker(#"{"HostConfig": {"Memroy": 33554432}}"#),
            expected: [#"specs/a.json:1:57: $.docker.HostConfig.Memroy: unknown HostConfig field "Memroy"; did you mean "Memory"?"#]),
        Bad(input: docker(#"{"HostConfig": {"Memory": "32m"}}"#),
            expected: [#"specs/a.json:1:67: $.docker.HostConfig.Memory: expected a size in bytes (an integer >= 0), got string "32m"; write 33554432"#]),
        Bad(input: docker(#"{"HostConfig": {"Memory": -1}}"#),
            expected: [#"specs/a.json:1:67: $.docker.HostConfig.Memory: expected a size in bytes (an integer >= 0), got -1"#]),
        Bad(input: docker(#"{"HostConfig": {"CpuShares": -2}}"#),
            expected: [#"specs/a.json:1:70: $.docker.HostConfig.CpuShares: expected an integer >= 0, got -2"#]),
        Bad(input: docker(#"{"HostConfig": {"NanoCpus": 1.5}}"#),
            expected: [#"specs/a.json:1:69: $.docker.HostConfig.NanoCpus: expected an integer >= 0, got 1.5"#]),
        Bad(input: docker(#"{"HostConfig": {"PidsLimit": "2", "BlkioWeight": 2000, "CpuPeriod": 2000000}}"#),
            expected: [#"specs/a.json:1:70: $.docker.HostConfig.PidsLimit: expected an integer, got string "2""#,
                       #"specs/a.json:1:90: $.docker.HostConfig.BlkioWeight: expected an integer from 0 to 1000, got 2000"#,
                       #"specs/a.json:1:109: $.docker.HostConfig.CpuPeriod: expected an integer from 0 to 1000000, got 2000000"#]),
        Bad(input: docker(#"{"HostConfig": {"Privileged": "yes", "ReadonlyRootfs": 1}}"#),
            expected: [#"specs/a.json:1:71: $.docker.HostConfig.Privileged: expected a boolean, got string"#,
                       #"specs/a.json:1:96: $.docker.HostConfig.ReadonlyRootfs: expected a boolean, got number"#]),
        Bad(input: docker(#"{"HostConfig": {"ShmSize": "1g"}}"#),
            expected: [#"specs/a.json:1:68: $.docker.HostConfig.ShmSize: expected a size in bytes (an integer >= 0), got string "1g"; write 1073741824"#]),
        Bad(input: docker(#"{"HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}"#),
            expected: [#"specs/a.json:1:83: $.docker.HostConfig.RestartPolicy.Name: unknown restart policy name "sometimes"; expected one of "", "no", "always", "unless-stopped", "on-failure""#]),
        Bad(input: docker(#"{"HostConfig": {"RestartPolicy": {"Name": "always", "MaximumRetryCount": -1, "Maximum": 3}}}"#),
            expected: [#"specs/a.json:1:114: $.docker.HostConfig.RestartPolicy.MaximumRetryCount: expected an integer >= 0, got -1"#,
                       #"specs/a.json:1:118: $.docker.HostConfig.RestartPolicy.Maximum: unknown RestartPolicy field "Maximum"; known fields are MaximumRetryCount, Name"#]),
        Bad(input: docker(#"{"HostConfig": {"Mounts": [{"Type": "bnd", "Target": "/data"}]}}"#),
            expected: [#"specs/a.json:1:77: $.docker.HostConfig.Mounts[0].Type: unknown mount type "bnd"; expected one of "bind", "volume", "tmpfs", "npipe"; did you mean "bind"?"#]),
        Bad(input: docker(#"{"HostConfig": {"Mounts": [{"Type": "bind", "Source": "/srv", "Target": "/data", "ReadOnly": "true"}]}}"#),
            expected: [#"specs/a.json:1:134: $.docker.HostConfig.Mounts[0].ReadOnly: expected a boolean, got string"#]),
        Bad(input: docker(#"{"HostConfig": {"Mounts": [{"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": "64m"}}]}}"#),
            expected: [#"specs/a.json:1:132: $.docker.HostConfig.Mounts[0].TmpfsOptions.SizeBytes: expected a size in bytes (an integer >= 0), got string "64m"; write 67108864"#]),
        Bad(input: docker(#"{"HostConfig": {"Mounts": [{"Type": "bind", "Target": "/t", "BindOptions": {"Propagation": "rshare"}}]}}"#),
            expected: [#"specs/a.json:1:132: $.docker.HostConfig.Mounts[0].BindOptions.Propagation: unknown bind propagation "rshare"; expected one of "", "private", "rprivate", "shared", "rshared", "slave", "rslave"; did you mean "rshared"?"#]),
        Bad(input: docker(#"{"HostConfig": {"Mounts": [{"Type": "volume", "Target": "/t", "VolumeOptions": {"DriverConfig": {"Nmae": "local"}}}]}}"#),
            expected: [#"specs/a.json:1:138: $.docker.HostConfig.Mounts[0].VolumeOptions.DriverConfig.Nmae: unknown DriverConfig field "Nmae"; known fields are Name, Options"#]),
        Bad(input: docker(#"{"HostConfig": {"LogConfig": {"Type": "json-file", "Config": {"max-size": 10}}}}"#),
            expected: [#"specs/a.json:1:115: $.docker.HostConfig.LogConfig.Config.max-size: expected a string, got number"#]),
        Bad(input: docker(#"{"HostConfig": {"Ulimits": [{"Name": "nofile", "Soft": "1024", "Hard": 2048}]}}"#),
            expected: [#"specs/a.json:1:96: $.docker.HostConfig.Ulimits[0].Soft: expected an integer, got string "1024""#]),
        Bad(input: docker(#"{"HostConfig": {"Devices": [{"PathOnHost": "/dev/null", "PathInContainer": "/dev/n", "Permissions": "rwm"}]}}"#),
            expected: [#"specs/a.json:1:126: $.docker.HostConfig.Devices[0].Permissions: unknown DeviceMapping field "Permissions"; known fields are CgroupPermissions, PathInContainer, PathOnHost"#]),
        Bad(input: docker(#"{"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": 8080}]}}}"#),
            expected: [#"specs/a.json:1:98: $.docker.HostConfig.PortBindings["80/tcp"][0].HostPort: expected a string, got number"#]),
        Bad(input: docker(#"{"HostConfig": {"Binds": "/srv:/data", "CapAdd": ["NET_ADMIN", 7], "Dns": "1.1.1.1"}}"#),
            expected: [#"specs/a.json:1:66: $.docker.HostConfig.Binds: expected an array of strings, got string"#,
                       #"specs/a.json:1:104: $.docker.HostConfig.CapAdd[1]: expected a string, got number"#,
                       #"specs/a.json:1:115: $.docker.HostConfig.Dns: expected an array of strings, got string"#]),
        Bad(input: docker(#"{"HostConfig": {"Sysctls": {"net.ipv4.ip_forward": 1}, "Tmpfs": ["/run"]}}"#),
            expected: [#"specs/a.json:1:92: $.docker.HostConfig.Sysctls["net.ipv4.ip_forward"]: expected a string, got number"#,
                       #"specs/a.json:1:105: $.docker.HostConfig.Tmpfs: expected an object of strings, got array"#]),
        // docker: Config and NetworkingConfig
        Bad(input: docker(#"{"Healthcheck": {"Test": ["CMD", "true"], "Interval": "10s", "Retrys": 3}}"#),
            expected: [#"specs/a.json:1:95: $.docker.Healthcheck.Interval: expected a duration in nanoseconds (an integer >= 0), got string "10s"; write 10000000000"#,
                       #"specs/a.json:1:102: $.docker.Healthcheck.Retrys: unknown Healthcheck field "Retrys"; did you mean "Retries"?"#]),
        Bad(input: docker(#"{"StopTimeout": -5, "Env": ["A=1", 2]}"#),
            expected: [#"specs/a.json:1:57: $.docker.StopTimeout: expected an integer >= 0, got -5"#,
                       #"specs/a.json:1:76: $.docker.Env[1]: expected a string, got number"#]),
        Bad(input: docker(#"{"NetworkingConfig": {"EndpointsConfig": {"front": {"Aliases": "web"}}}}"#),
            expected: [#"specs/a.json:1:104: $.docker.NetworkingConfig.EndpointsConfig.front.Aliases: expected an array of strings, got string"#]),
        Bad(input: docker(#"{"NetworkingConfig": {"EndpointsConfig": {"front": {"IPAMConfig": {"IPv4Adress": "10.0.0.2"}}}}}"#),
            expected: [#"specs/a.json:1:108: $.docker.NetworkingConfig.EndpointsConfig.front.IPAMConfig.IPv4Adress: unknown EndpointIPAMConfig field "IPv4Adress"; did you mean "IPv4Address"?"#]),
        Bad(input: docker(#"{"NetworkingConfig": {"EndpointConfig": {}}}"#),
            expected: [#"specs/a.json:1:63: $.docker.NetworkingConfig.EndpointConfig: unknown NetworkingConfig field "EndpointConfig"; did you mean "EndpointsConfig"?"#]),
        // swarm
        Bad(input: swarm(#"{"TaskTemplate": {"Resources": {"Limits": {"MemoryByte": 1}}}}"#),
            expected: [#"specs/a.json:1:102: $.swarm.TaskTemplate.Resources.Limits.MemoryByte: unknown Limits field "MemoryByte"; did you mean "MemoryBytes"?"#]),
        Bad(input: swarm(#"{"TaskTemplate": {"Resources": {"Limits": {"MemoryBytes": "64m", "NanoCPUs": -1}}}}"#),
            expected: [#"specs/a.json:1:117: $.swarm.TaskTemplate.Resources.Limits.MemoryBytes: expected a size in bytes (an integer >= 0), got string "64m"; write 67108864"#,
                       #"specs/a.json:1:136: $.swarm.TaskTemplate.Resources.Limits.NanoCPUs: expected an integer >= 0, got -1"#]),
        Bad(input: swarm(#"{"TaskTemplate": {"Resources": {"Reservations": {"NanoCPUs": "0.5"}}}}"#),
            expected: [#"specs/a.json:1:120: $.swarm.TaskTemplate.Resources.Reservations.NanoCPUs: expected an integer >= 0, got string "0.5""#]),
        Bad(input: swarm(#"{"TaskTemplate": {"Placement": {"Constraints": "node.role==manager", "MaxReplicas": -1}}}"#),
            expected: [#"specs/a.json:1:106: $.swarm.TaskTemplate.Placement.Constraints: expected an array of strings, got string"#,
                       #"specs/a.json:1:143: $.swarm.TaskTemplate.Placement.MaxReplicas: expected an integer >= 0, got -1"#]),
        Bad(input: swarm(#"{"TaskTemplate": {"Placement": {"Preferences": [{"Spread": {"Descriptor": "node.labels.zone"}}]}}}"#),
            expected: [#"specs/a.json:1:119: $.swarm.TaskTemplate.Placement.Preferences[0].Spread.Descriptor: unknown Spread field "Descriptor"; known fields are SpreadDescriptor"#]),
        Bad(input: swarm(#"{"TaskTemplate": {"RestartPolicy": {"Condition": "always", "Delay": "5s", "MaxAttempts": -1}}}"#),
            expected: [#"specs/a.json:1:108: $.swarm.TaskTemplate.RestartPolicy.Condition: unknown restart condition "always"; expected one of "none", "on-failure", "any""#,
                       #"specs/a.json:1:127: $.swarm.TaskTemplate.RestartPolicy.Delay: expected a duration in nanoseconds (an integer >= 0), got string "5s"; write 5000000000"#,
                       #"specs/a.json:1:148: $.swarm.TaskTemplate.RestartPolicy.MaxAttempts: expected an integer >= 0, got -1"#]),
        Bad(input: swarm(#"{"TaskTemplate": {"RestartPolicy": {"Windows": 1}}}"#),
            expected: [#"specs/a.json:1:95: $.swarm.TaskTemplate.RestartPolicy.Windows: unknown RestartPolicy field "Windows"; did you mean "Window"?"#]),
        Bad(input: swarm(#"{"TaskTemplate": {"ContainerSpec": {"HealthCheck": {"Test": "true", "Timeout": "3s"}}}}"#),
            expected: [#"specs/a.json:1:119: $.swarm.TaskTemplate.ContainerSpec.HealthCheck.Test: expected an array of strings, got string"#,
                       #"specs/a.json:1:138: $.swarm.TaskTemplate.ContainerSpec.HealthCheck.Timeout: expected a duration in nanoseconds (an integer >= 0), got string "3s"; write 3000000000"#]),
        Bad(input: swarm(#"{"TaskTemplate": {"ContainerSpec": {"Mounts": [{"Type": "volume", "Target": "/d", "Readonly": true}]}}}"#),
            expected: [#"specs/a.json:1:141: $.swarm.TaskTemplate.ContainerSpec.Mounts[0].Readonly: unknown Mount field "Readonly"; did you mean "ReadOnly"?"#]),
        Bad(input: swarm(#"{"UpdateConfig": {"Order": "first", "Parallelism": -1}}"#),
            expected: [#"specs/a.json:1:86: $.swarm.UpdateConfig.Order: unknown update order "first"; expected one of "stop-first", "start-first""#,
                       #"specs/a.json:1:110: $.swarm.UpdateConfig.Parallelism: expected an integer >= 0, got -1"#]),
        Bad(input: swarm(#"{"EndpointSpec": {"Ports": [{"TargetPort": 80, "PublishedPort": 70000, "Protocol": "tpc"}]}}"#),
            expected: [#"specs/a.json:1:123: $.swarm.EndpointSpec.Ports[0].PublishedPort: expected an integer from 0 to 65535, got 70000"#,
                       #"specs/a.json:1:142: $.swarm.EndpointSpec.Ports[0].Protocol: unknown protocol "tpc"; expected one of "tcp", "udp", "sctp""#]),
    ]

    @Test(arguments: bad)
    func badFragment(_ row: Bad) {
        #expect(SpecDecoderTests.errors(row.input) == row.expected)
    }

    /// Everything the schema knows, written right, is valid; null is "not set" as for the engine.
    @Test func aFullFragmentIsValid() {
        let docker = Self.docker(#"""
            {"Hostname": "w", "Cmd": "sh", "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000, "Retries": 3},
             "HostConfig": {"Memory": 33554432, "MemorySwap": -1, "NanoCpus": 500000000, "CpuShares": 512, "PidsLimit": -1,
               "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}, "Init": true, "ShmSize": 67108864,
               "Mounts": [{"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": 1048576, "Mode": 448}}],
               "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m"}}, "Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}],
               "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}]}, "Sysctls": {"net.core.somaxconn": "1024"},
               "CapDrop": ["ALL"], "Dns": ["1.1.1.1"], "ExtraHosts": ["db:10.0.0.2"], "SecurityOpt": null},
             "NetworkingConfig": {"EndpointsConfig": {"front": {"Aliases": ["web"], "IPAMConfig": {"IPv4Address": "10.0.0.5"}}}}}
            """#)
        let swarm = Self.swarm(#"""
            {"TaskTemplate": {"Resources": {"Limits": {"MemoryBytes": 67108864, "NanoCPUs": 500000000, "Pids": 100}},
               "Placement": {"Constraints": ["node.role==manager"], "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}], "MaxReplicas": 2},
               "RestartPolicy": {"Condition": "on-failure", "Delay": 5000000000, "MaxAttempts": 3, "Window": 0},
               "ContainerSpec": {"HealthCheck": {"Test": ["CMD", "true"], "Timeout": 3000000000},
                 "Mounts": [{"Type": "volume", "Source": "data", "Target": "/d", "ReadOnly": true}]}},
             "UpdateConfig": {"Order": "start-first", "MaxFailureRatio": 0.5}}
            """#)
        #expect(SpecDecoderTests.errors(docker) == [])
        #expect(SpecDecoderTests.errors(swarm) == [])
    }
}

