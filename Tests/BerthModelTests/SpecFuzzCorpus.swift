import Foundation

/// The valid inputs the fuzzer mutates: the examples in specs/ and hand-written files that
/// between them use every field and every form of one (docker, swarm, image objects, env,
/// ports, volumes, labels), so mutations reach every check in the decoder.
enum SpecFuzzCorpus {
    static let written: [String] = [
        #"""
        {"name": "api", "target": "docker", "image": "registry.example.com:5000/team/api:1.2.3",
         "command": ["serve", "--port", "8080"], "replicas": 1, "removeImage": true,
         "env": {"MODE": "prod", "DB_PASSWORD": "hunter2", "EMPTY": "", "UNICODE": "caf\u00e9 \uD83D\uDE00"},
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
