import BerthJSON
@testable import BerthModel
import Testing

/// Spec validation: a table of bad inputs and the exact line a person sees for each.
struct SpecDecoderTests {
    static func errors(_ text: String, file: String = "specs/a.json") -> [String] {
        SpecDecoder.decode(file: file, bytes: Array(text.utf8)).errors.map(\.description)
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: [String]
        var testDescription: String { input }
    }

    static let bad: [Bad] = [
        Bad(input: #"{"image": "busybox:1"}"#, expected: [#"specs/a.json:1:1: $: missing required field "name""#]),
        Bad(input: #"{"name": "web"}"#, expected: [#"specs/a.json:1:1: $: missing required field "image""#]),
        Bad(input: "{\"name\": \"web\",\n \"image\": \"busybox:1\",\n \"replicas\": -1}",
            expected: ["specs/a.json:3:14: $.replicas: expected an integer from 0 to 1000, got -1"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "replicas": "2"}"#,
            expected: ["specs/a.json:1:51: $.replicas: expected an integer >= 0, got string"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "replicas": 1.5}"#,
            expected: ["specs/a.json:1:51: $.replicas: expected an integer from 0 to 1000, got 1.5"]),
        Bad(input: #"{"name": "Web_1", "image": "busybox:1"}"#,
            expected: [#"specs/a.json:1:10: $.name: "Web_1" is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit"#]),
        Bad(input: #"{"name": "../etc", "image": "busybox:1"}"#,
            expected: [#"specs/a.json:1:10: $.name: "../etc" is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit"#]),
        Bad(input: #"{"name": "\#(String(repeating: "a", count: 54))", "image": "busybox:1"}"#,
            expected: ["specs/a.json:1:10: $.name: name is 54 characters long; at most 53 are allowed"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "replcas": 2}"#,
            expected: [#"specs/a.json:1:39: $.replcas: unknown field "replcas"; did you mean "replicas"?"#]),
        Bad(input: #"{"name": "web", "image": "busybox"}"#,
            expected: [#"specs/a.json:1:26: $.image: image "busybox" has no tag; write "busybox:latest" if the moving tag is really meant"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "env": {"A": 1}}"#,
            expected: ["specs/a.json:1:52: $.env.A: expected a string, got number"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "env": {"A": "1", "A": "2"}}"#,
            expected: [#"specs/a.json:1:57: $.env.A: duplicate key "A""#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "ports": ["80"]}"#,
            expected: [#"specs/a.json:1:49: $.ports[0]: "80" is not "[ip:]hostPort:containerPort[/tcp|udp]" with ports 1-65535"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "ports": ["8080:80/sctp"]}"#,
            expected: [#"specs/a.json:1:49: $.ports[0]: "8080:80/sctp" is not "[ip:]hostPort:containerPort[/tcp|udp]" with ports 1-65535"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "replicas": 2, "ports": ["8080:80"]}"#,
            expected: ["specs/a.json:1:64: $.ports[0]: host port 8080 cannot be bound by 2 replicas at once; use one replica per host port"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "volumes": ["data"]}"#,
            expected: [#"specs/a.json:1:51: $.volumes[0]: "data" is not "source:destination[:ro|rw]" with an absolute host path or a volume name as source and an absolute destination"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "restart": "sometimes"}"#,
            expected: [#"specs/a.json:1:50: $.restart: unknown restart policy "sometimes"; expected one of "no", "always", "on-failure", "unless-stopped""#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "state": "paused"}"#,
            expected: [#"specs/a.json:1:48: $.state: unknown state "paused"; expected one of "running", "stopped""#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "suspend": "yes"}"#,
            expected: ["specs/a.json:1:50: $.suspend: expected true or false, got string"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "prune": 0}"#,
            expected: ["specs/a.json:1:48: $.prune: expected true or false, got number"]),
        Bad(input: #"{"name": "web", "target": "kubernetes", "image": "busybox:1", "state": "stopped"}"#,
            expected: [#"specs/a.json:1:72: $.state: "state": "stopped" is only for target "docker"; a Kubernetes Deployment is stopped with "replicas": 0"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "target": "dokcer"}"#,
            expected: [#"specs/a.json:1:49: $.target: unknown target "dokcer" (did you mean "docker"?); expected one of "docker", "kubernetes", "swarm" (more are described in berth.json)"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "labels": {"berth.owner": "x"}}"#,
            expected: [#"specs/a.json:1:50: $.labels["berth.owner"]: labels starting with "berth." are berth's own and cannot be set"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "command": "sleep 1"}"#,
            expected: ["specs/a.json:1:50: $.command: expected an array of strings, got string"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "docker": {"HostConfig": []}}"#,
            expected: ["specs/a.json:1:64: $.docker.HostConfig: expected a HostConfig object, got array"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "docker": {"Hostconfig": {}}}"#,
            expected: [#"specs/a.json:1:50: $.docker.Hostconfig: unknown Docker create-container field "Hostconfig"; did you mean "HostConfig"?"#]),
        Bad(input: "[{\"name\": \"a\", \"image\": \"x:1\"},\n {\"name\": 7, \"image\": \"x:1\"}]",
            expected: ["specs/a.json:2:11: $[1].name: expected a string, got number"]),
        Bad(input: #"{"name": "web", "image": "busybox:1",}"#,
            expected: ["specs/a.json:1:38: $: invalid JSON: expected a string key, got '}'"]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "target": "swarm", "docker": {}}"#,
            expected: [#"specs/a.json:1:58: $.docker: "docker" is only for target "docker" (this spec's target is "swarm")"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "mode": "global"}"#,
            expected: [#"specs/a.json:1:39: $.mode: "mode" is only for target "swarm" (this spec's target is "docker")"#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "target": "swarm", "update": {"delay": "soon", "order": "first"}}"#,
            expected: [#"specs/a.json:1:78: $.update.delay: "soon" is not a duration like "500ms", "10s" or "1m""#,
                       #"specs/a.json:1:95: $.update.order: unknown update order "first"; expected one of "start-first", "stop-first""#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "target": "swarm", "swarm": {"Mode": {"Replicated": {"Replicas": "2"}}}}"#,
            expected: [#"specs/a.json:1:104: $.swarm.Mode.Replicated.Replicas: expected an integer, got string "2""#]),
        Bad(input: #"{"name": "web", "image": "busybox:1", "target": "swarm", "swarm": {"TaskTemplate": {"ContainerSpec": {"Enc": []}}}}"#,
            expected: [#"specs/a.json:1:103: $.swarm.TaskTemplate.ContainerSpec.Enc: unknown ContainerSpec field "Enc"; did you mean "Env"?"#]),
        Bad(input: "42", expected: ["specs/a.json:1:1: $: expected a spec object or an array of spec objects, got number"]),
    ]

    @Test(arguments: bad)
    func badInput(_ row: Bad) {
        #expect(SpecDecoderTests.errors(row.input) == row.expected)
    }

    @Test func swarmSpecsMayShareAHostPortAcrossReplicas() {
        let text = #"{"name": "web", "image": "x:1", "target": "swarm", "replicas": 3, "ports": ["8080:80"], "update": {"delay": "1s"}}"#
        let result = SpecDecoder.decode(file: "f.json", bytes: Array(text.utf8))
        #expect(result.errors.isEmpty)
        #expect(result.specs.first?.update?.delayNanoseconds == 1_000_000_000)
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        let errors = SpecDecoderTests.errors(#"{"name": "Web", "image": 3, "replicas": -2}"#)
        #expect(errors.count == 3)
    }

    @Test func validSpecHasDefaultsAndParsedFields() throws {
        let text = """
        {"name": "web", "image": "busybox:1", "command": ["httpd", "-f"], "env": {"A": "1"},
         "ports": ["127.0.0.1:8080:80/tcp"], "volumes": ["/srv:/data:ro", "cache:/cache"],
         "labels": {"team": "x"}, "restart": "on-failure", "docker": {"HostConfig": {"Memory": 10000000}}}
        """
        let result = SpecDecoder.decode(file: "f.json", bytes: Array(text.utf8))
        #expect(result.errors.isEmpty)
        let spec = try #require(result.specs.first)
        #expect(spec.target == "docker" && spec.replicas == 1)
        #expect(spec.ports == [PortMapping(hostIP: "127.0.0.1", hostPort: 8080, containerPort: 80)])
        #expect(spec.volumes == [VolumeMount(source: "/srv", destination: "/data", readOnly: true), VolumeMount(source: "cache", destination: "/cache")])
        #expect(spec.restart == .onFailure)
        #expect(spec.docker?["HostConfig"]?["Memory"] == .number("10000000"))
    }

    @Test func oneBadSpecMakesTheWholeFileInvalid() {
        let text = #"[{"name": "a", "image": "x:1"}, {"name": "b"}]"#
        let result = SpecDecoder.decode(file: "f.json", bytes: Array(text.utf8))
        #expect(result.specs.isEmpty && result.errors.count == 1)
    }

    @Test func duplicateNamesAcrossFilesAreBothRefused() {
        let a = (path: "specs/a.json", bytes: Array(#"{"name": "web", "image": "x:1"}"#.utf8))
        let b = (path: "specs/b.json", bytes: Array("\n{\"name\": \"web\", \"image\": \"x:2\"}".utf8))
        let state = DesiredState.assemble(files: [b, a])
        #expect(state.specs.isEmpty)
        #expect(state.invalidFiles == ["specs/a.json", "specs/b.json"])
        #expect(state.errors.map(\.description) == [
            #"specs/a.json:1:1: $.name: "web" (target docker) is also defined at specs/b.json:2:1"#,
            #"specs/b.json:2:1: $.name: "web" (target docker) is also defined at specs/a.json:1:1"#,
        ].sorted())
    }
}
