import BerthJSON
@testable import BerthModel
import Testing

/// Two specs that want the same host port on one engine are refused before anything is sent:
/// one line each, naming both files.
struct CollisionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var a: String
        var b: String
        var expected: [String]
        var testDescription: String { a + " / " + b }
    }

    static func errors(_ a: String, _ b: String) -> [String] {
        DesiredState.assemble(files: [("specs/a.json", Array(a.utf8)), ("specs/b.json", Array(b.utf8))]).errors.map(\.description)
    }

    static let cases: [Case] = [
        // The same address and port.
        Case(a: #"{"name": "a", "image": "b:1", "ports": ["127.0.0.1:18190:80"]}"#,
             b: #"{"name": "b", "image": "b:1", "ports": ["127.0.0.1:18190:8080"]}"#,
            expected: [#"specs/b.json:1:41: $.ports[0]: host port 127.0.0.1:18190/tcp collides with 127.0.0.1:18190/tcp of "a" at specs/a.json:1:41; give each spec its own host port or address"#]),
        // 0.0.0.0 takes the port on every address.
        Case(a: #"{"name": "a", "image": "b:1", "ports": ["18190:80"]}"#,
             b: #"{"name": "b", "image": "b:1", "ports": ["127.0.0.1:18190:80"]}"#,
            expected: [#"specs/b.json:1:41: $.ports[0]: host port 127.0.0.1:18190/tcp collides with 0.0.0.0:18190/tcp of "a" at specs/a.json:1:41; give each spec its own host port or address"#]),
        // Other protocol, other address: no collision.
        Case(a: #"{"name": "a", "image": "b:1", "ports": ["18190:80/udp", "127.0.0.1:18191:80"]}"#,
             b: #"{"name": "b", "image": "b:1", "ports": ["18190:80", "127.0.0.2:18191:80"]}"#, expected: []),
        // A range in the native fragment overlapping a port of another spec.
        Case(a: #"{"name": "a", "image": "b:1", "docker": {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "18000-18010"}]}}}}"#,
             b: #"{"name": "b", "image": "b:1", "ports": ["127.0.0.1:18005:80"]}"#,
            expected: [#"specs/b.json:1:41: $.ports[0]: host port 127.0.0.1:18005/tcp collides with 0.0.0.0:18000-18010/tcp of "a" at specs/a.json:1:98; give each spec its own host port or address"#]),
        // Swarm's routing mesh binds every address of the engine's node.
        Case(a: #"{"name": "a", "target": "swarm", "image": "b:1", "ports": ["18190:80"]}"#,
             b: #"{"name": "b", "image": "b:1", "ports": ["127.0.0.1:18190:80"]}"#,
            expected: [#"specs/b.json:1:41: $.ports[0]: host port 127.0.0.1:18190/tcp collides with 0.0.0.0:18190/tcp of "a" at specs/a.json:1:60; give each spec its own host port or address"#]),
        Case(a: #"{"name": "a", "target": "swarm", "image": "b:1", "swarm": {"EndpointSpec": {"Ports": [{"TargetPort": 80, "PublishedPort": 18190}]}}}"#,
             b: #"{"name": "b", "target": "swarm", "image": "b:1", "ports": ["18190:80"]}"#,
            expected: [#"specs/b.json:1:60: $.ports[0]: host port 0.0.0.0:18190/tcp collides with 0.0.0.0:18190/tcp of "a" at specs/a.json:1:123; give each spec its own host port or address"#]),
    ]

    @Test(arguments: cases)
    func collision(_ row: Case) {
        #expect(Self.errors(row.a, row.b) == row.expected)
    }

    /// Neither file silently wins: both are invalid (what runs is left as it is), with one line.
    @Test func bothFilesAreInvalid() {
        let state = DesiredState.assemble(files: [
            ("specs/a.json", Array(#"{"name": "a", "image": "b:1", "ports": ["18190:80"]}"#.utf8)),
            ("specs/b.json", Array(#"{"name": "b", "image": "b:1", "ports": ["18190:80"]}"#.utf8)),
        ])
        #expect(state.specs.isEmpty)
        #expect(state.invalidFiles == ["specs/a.json", "specs/b.json"])
        #expect(state.errors.count == 1)
    }

    /// A fixed host port in the fragment cannot be bound by two replicas.
    @Test func replicasOfAFixedPortBinding() {
        let text = #"{"name": "a", "image": "b:1", "replicas": 2, "docker": {"HostConfig": {"PortBindings": {"80/tcp": [{"HostPort": "18190"}]}}}}"#
        #expect(SpecDecoderTests.errors(text) == [
            #"specs/a.json:1:113: $.docker.HostConfig.PortBindings["80/tcp"][0].HostPort: host port 18190 cannot be bound by 2 replicas at once; use one replica per host port"#])
    }
}
