import BerthJSON
@testable import BerthModel
import Testing

/// berth.json as a person writes it: every mistake one line with its place, and a valid file
/// read into targets (paths made absolute beside the file) and groups.
struct TargetCatalogTests {
    static func errors(_ text: String) -> [String] {
        TargetCatalog.parse(file: "/srv/berth.json", bytes: Array(text.utf8)).errors.map(\.description)
    }

    @Test func aValidFileDescribesTargetsAndGroups() throws {
        let text = """
            {"targets": {
              "edge-1": {"platform": "docker", "host": "ssh://deploy@10.0.0.5", "ssh": {"identityFile": "keys/id", "port": 2222, "options": ["ConnectTimeout=5"]}},
              "edge-2": {"platform": "docker", "host": "tcp://10.0.0.6:2376", "tls": {"ca": "tls/ca.pem", "cert": "/etc/b/cert.pem", "key": "/etc/b/key.pem"}},
              "staging": {"platform": "kubernetes", "context": "staging"},
              "swarm-a": {"platform": "swarm", "host": "unix:///run/swarm-a.sock"}},
             "groups": {"edge": ["edge-1", "edge-2"]}}
            """
        let catalog = try #require(TargetCatalog.parse(file: "/srv/berth.json", bytes: Array(text.utf8)).catalog)
        #expect(catalog.targets["edge-1"]?.ssh == TargetCatalog.SSHSettings(identityFile: "/srv/keys/id", port: 2222, options: ["ConnectTimeout=5"]))
        #expect(catalog.targets["edge-2"]?.tls == TargetCatalog.TLSFiles(ca: "/srv/tls/ca.pem", cert: "/etc/b/cert.pem", key: "/etc/b/key.pem"))
        #expect(catalog.targets["staging"]?.platform == .kubernetes && catalog.targets["staging"]?.context == "staging")
        #expect(catalog.resolve("edge") == .group("edge", ["edge-1", "edge-2"], .docker))
        #expect(catalog.resolve("swarm-a") == .target("swarm-a", .swarm))
        // The implicit targets stay, so specs written for berth v1 keep working.
        #expect(catalog.resolve("docker") == .target(.docker, .docker))
        #expect(catalog.words == ["docker", "edge", "edge-1", "edge-2", "kubernetes", "staging", "swarm", "swarm-a"])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var input: String
        var expected: [String]
        var testDescription: String { input }
    }

    static let bad: [Bad] = [
        Bad(input: #"{"targets": {"a": {"platform": "dokcer"}}}"#,
            expected: [#"/srv/berth.json:1:32: $.targets.a.platform: unknown platform "dokcer" (did you mean "docker"?); expected one of "docker", "kubernetes", "swarm""#]),
        Bad(input: #"{"targets": {"a": {"host": "unix:///x"}}}"#,
            expected: [#"/srv/berth.json:1:19: $.targets.a: missing "platform": one of "docker", "kubernetes", "swarm""#]),
        Bad(input: #"{"targets": {"a": {"platform": "docker", "hots": "unix:///x"}}}"#,
            expected: [#"/srv/berth.json:1:42: $.targets.a.hots: unknown field "hots" (did you mean "host"?); expected one of "platform", "host", "tls", "ssh", "context", "kubeconfig""#]),
        Bad(input: #"{"targets": {"a": {"platform": "docker", "host": "10.0.0.5"}}}"#,
            expected: [#"/srv/berth.json:1:50: $.targets.a.host: "10.0.0.5" is not an engine address; write unix:///PATH, tcp://HOST:PORT or ssh://[USER@]HOST[:PORT]"#]),
        Bad(input: #"{"targets": {"a": {"platform": "kubernetes", "host": "unix:///x"}}}"#,
            expected: [#"/srv/berth.json:1:46: $.targets.a.host: "host" is for Docker and Swarm targets; a kubernetes target has none"#]),
        Bad(input: #"{"targets": {"a": {"platform": "docker", "host": "ssh://h", "tls": {"ca": "c"}}}}"#,
            expected: [#"/srv/berth.json:1:68: $.targets.a.tls: TLS is for tcp:// hosts; this target's host is ssh://h"#]),
        Bad(input: #"{"targets": {"a": {"platform": "docker", "host": "tcp://h:1", "tls": {"cert": "c"}}}}"#,
            expected: [#"/srv/berth.json:1:70: $.targets.a.tls: "cert" and "key" go together: the engine checks the client by both"#]),
        Bad(input: #"{"targets": {"a": {"platform": "docker", "host": "ssh://h", "ssh": {"options": ["-oProxyCommand=x"], "port": 0}}}}"#,
            expected: [#"/srv/berth.json:1:81: $.targets.a.ssh.options[0]: an ssh option is written KEY=VALUE (as after -o), got "-oProxyCommand=x""#,
                       #"/srv/berth.json:1:110: $.targets.a.ssh.port: expected a port number from 1 to 65535, got 0"#]),
        Bad(input: #"{"targets": {"Edge_1": {"platform": "docker"}}}"#,
            expected: [#"/srv/berth.json:1:14: $.targets.Edge_1: "Edge_1" is not a valid target name: lowercase letters, digits and '-', starting and ending with a letter or digit, at most 40"#]),
        Bad(input: #"{"targets": {"a": {"platform": "docker"}}, "groups": {"g": ["a", "b"], "a": ["a"], "e": []}}"#,
            expected: [#"/srv/berth.json:1:66: $.groups.g[1]: unknown target "b""#,
                       #"/srv/berth.json:1:72: $.groups.a: "a" is already a target's name; a group needs a name of its own"#,
                       #"/srv/berth.json:1:89: $.groups.e: a group needs at least one target"#]),
        Bad(input: #"{"targets": {"k": {"platform": "kubernetes"}}, "groups": {"mixed": ["docker", "k"]}}"#,
            expected: [#"/srv/berth.json:1:79: $.groups.mixed[1]: "k" is a kubernetes target, the group's first is docker; a group's targets share one platform"#]),
        Bad(input: #"{"targets": {}, "group": {}}"#,
            expected: [#"/srv/berth.json:1:17: $.group: unknown field "group" (did you mean "groups"?); expected one of "targets", "groups""#]),
        Bad(input: #"{"targets": {"a": {"platform": "docker"}, "a": {"platform": "swarm"}}}"#,
            expected: [#"/srv/berth.json:1:43: $.targets.a: duplicate key "a""#]),
    ]

    @Test(arguments: bad) func badInput(_ row: Bad) {
        #expect(Self.errors(row.input) == row.expected)
    }
}
