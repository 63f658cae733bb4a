import Foundation

/// The valid inputs the fuzzer mutates: the examples in specs/ and hand-written files that
/// between them use every field and every form of one (docker, swarm, image objects, env,
/// ports, volumes, labels), so mutations reach every check in the decoder.
enum SpecFuzzCorpus {
    static let written: [String] = [
        #"""
        {"name": "api", "target": "docker", "image": "registry.example.com:5000/team/api:1.2.3",
         "command": ["serve", "--port", "8080"], "replicas": 1, "removeImage": true,
         "env": {"MODE": "prod", "DB_PASSWORD": "hunter2", "EMPTY": "", "UNICODE": "caf\u00e9 \uD83D\uDE00",
                 "DB_FILE": {"file": "/run/secrets/db"}, "API": {"env": "API_TOKEN"}},
         "ports": ["127.0.0.1:8080:8080", "9090:9090/udp"],
         "volumes": ["/srv/api:/data:ro", "api-cache:/cache", "logs:/var/log:rw"],
         "labels": {"team": "shop", "com.example.tier": "backend"},
         "restart": "on-failure",
         "docker": {"Hostname": "api", "User": "1000", "Env": ["X=1"], "Labels": {"a": "b"}, "StopTimeout": 10,
                    "HostConfig": {"Memory": 67108864, "Init": true}, "Entrypoint": "/bin/sh"}}
        """#,
        #"""
        [{"name": "queue", "target": "swarm", "image": {"ref": "shop/queue:2", "pull": "always"},
          "mode": "replicated", "replicas": 3, "ports": ["5672:5672"],
          "update": {"parallelism": 1, "delay": "10s", "order": "start-first", "failureAction": "rollback"},
          "swarm": {"Labels": {"tier": "mq"}, "TaskTemplate": {"ContainerSpec": {"Dir": "/srv", "Init": true},
                    "RestartPolicy": {"Condition": "any"}}, "Mode": {"Replicated": {"Replicas": 3}}}},
         {"name": "agent", "target": "swarm", "image": "shop/agent@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
          "mode": "global", "restart": "always"}]
        """#,
        #"""
        [
          {"name": "base", "image": {"ref": "shop/base:1", "import": {"src": "rootfs.tar"}}, "command": []},
          {"name": "web-2", "image": {"ref": "shop/web:1", "build": {"context": "web", "dockerfile": "docker/Dockerfile",
            "args": {"MODE": "prod"}}}, "replicas": 0, "env": {}, "labels": {}, "ports": [], "volumes": []}
        ]
        """#,
        #"{"name":"a","image":"a:1","replicas":1000,"restart":"no","env":{"K":"line1\nline2\ttab \"q\" \\ \/"}}"#,
        #"{"name": "kept", "image": "kept:1", "state": "stopped", "suspend": false, "prune": false}"#,
        #"{"name": "paused", "target": "swarm", "image": "paused:1", "replicas": 0, "suspend": true}"#,
        // Deep native fragments, so mutations reach every level of the schema tables.
        #"""
        {"name": "deep", "image": "shop/deep:1", "ports": ["127.0.0.1:18190:80"],
         "docker": {"Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000, "Retries": 3},
          "HostConfig": {"Memory": 33554432, "MemorySwap": -1, "NanoCpus": 500000000, "CpuShares": 512, "PidsLimit": 100,
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}, "ShmSize": 67108864, "CapDrop": ["ALL"],
            "Mounts": [{"Type": "tmpfs", "Target": "/t", "TmpfsOptions": {"SizeBytes": 1048576}}, {"Type": "volume", "Source": "d", "Target": "/d", "VolumeOptions": {"NoCopy": true}}],
            "LogConfig": {"Type": "json-file", "Config": {"max-size": "10m"}}, "Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}],
            "PortBindings": {"81/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18191-18192"}]}, "Sysctls": {"net.core.somaxconn": "1024"}},
          "NetworkingConfig": {"EndpointsConfig": {"front": {"Aliases": ["deep"], "IPAMConfig": {"IPv4Address": "10.0.0.5"}}}}}}
        """#,
        #"""
        {"name": "deep-svc", "target": "swarm", "image": "shop/deep:1",
         "swarm": {"TaskTemplate": {"Resources": {"Limits": {"MemoryBytes": 67108864, "NanoCPUs": 500000000}, "Reservations": {"MemoryBytes": 1048576}},
            "Placement": {"Constraints": ["node.role==manager"], "Preferences": [{"Spread": {"SpreadDescriptor": "node.labels.zone"}}], "MaxReplicas": 2},
            "RestartPolicy": {"Condition": "on-failure", "Delay": 5000000000, "MaxAttempts": 3},
            "ContainerSpec": {"HealthCheck": {"Test": ["CMD", "true"], "Timeout": 3000000000}, "Mounts": [{"Type": "volume", "Source": "d", "Target": "/d"}]}},
          "EndpointSpec": {"Ports": [{"TargetPort": 80, "PublishedPort": 18290, "Protocol": "tcp"}]}, "UpdateConfig": {"Order": "start-first"}}}
        """#,
    ]

    /// Bad inputs each check was written for (deep native fragments, issue 12): every one must
    /// be invalid, with lines that keep the fuzzer's invariants. New checks add their lines here.
    static let bad: [String] = NativeValidationTests.bad.map(\.input) + [
        #"{"name": "a", "image": "b:1", "replicas": 2, "docker": {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "18190"}]}}}}"#,
        #"{"name": "w", "image": "b:1", "docker": {"HostConfig": {"Memory": null, "CpuShares": -1e3, "Ulimits": [{"Soft": 99999999999999999999}]}}}"#,
        #"{"name": "w", "target": "swarm", "image": "b:1", "swarm": {"TaskTemplate": {"Resources": {"Limits": []}, "Placement": {"Preferences": [7]}}}}"#,
        #"{"name": "w", "image": "b:1", "env": {"A": {"file": 5}, "B": {"file": ""}, "C": {"env": "X=Y"}, "D": {"file": "a", "env": "b"}}}"#,
    ]

    /// specs/ holds the README's examples; found from this file, not the working directory.
    static func examples() -> [[UInt8]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let specs = root.appendingPathComponent("specs")
        guard let walker = FileManager.default.enumerator(at: specs, includingPropertiesForKeys: nil) else { return [] }
        var out: [[UInt8]] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            if let data = FileManager.default.contents(atPath: url.path) { out.append([UInt8](data)) }
        }
        return out
    }

    static func all() -> [[UInt8]] { examples() + written.map { Array($0.utf8) } }
}
