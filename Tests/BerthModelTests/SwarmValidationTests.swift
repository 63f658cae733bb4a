@testable import BerthModel
import Testing

/// What Swarm cannot do as written is refused with the line a person sees (issue 19).
struct SwarmValidationTests {
    static func errors(_ text: String) -> [String] { SpecDecoderTests.errors(text) }

    @Test func globalWithReplicasIsRefused() {
        #expect(Self.errors(#"{"name": "a", "target": "swarm", "image": "b:1", "mode": "global", "replicas": 3}"#) == [
            #"specs/a.json:1:80: $.replicas: a global service runs one task on every node, so "replicas" does not apply; remove it, or use "mode": "replicated""#,
        ])
    }

    @Test func anAddressOnASwarmPortIsRefused() {
        #expect(Self.errors(#"{"name": "a", "target": "swarm", "image": "b:1", "ports": ["127.0.0.1:18405:8080"]}"#) == [
            #"specs/a.json:1:60: $.ports[0]: Swarm publishes a port on every interface of every node and cannot bind it to 127.0.0.1; write "18405:8080/tcp", or use target "docker" to bind one address"#,
        ])
        #expect(Self.errors(#"{"name": "a", "target": "swarm", "image": "b:1", "ports": ["18405:8080"]}"#).isEmpty)
    }

    @Test func aFragmentMayNotOverrideImageOrEnv() {
        #expect(Self.errors(#"{"name": "a", "target": "swarm", "image": "b:1", "swarm": {"TaskTemplate": {"ContainerSpec": {"Image": "c:1", "Env": ["A=1"]}}}}"#) == [
            #"specs/a.json:1:95: $.swarm.TaskTemplate.ContainerSpec.Image: set the spec's "image" instead: berth writes ContainerSpec.Image from it (pinned by image ID or digest)"#,
            #"specs/a.json:1:111: $.swarm.TaskTemplate.ContainerSpec.Env: set the spec's "env" instead: berth writes ContainerSpec.Env from it"#,
        ])
    }

    @Test func oneReferenceBuiltFromTwoContextsIsRefused() {
        let a = #"{"name": "a", "image": {"ref": "x:1", "build": {"context": "one"}}}"#
        let b = #"{"name": "b", "image": {"ref": "x:1", "build": {"context": "two"}}}"#
        let state = DesiredState.assemble(files: [("specs/a.json", Array(a.utf8)), ("specs/b.json", Array(b.utf8))])
        #expect(state.specs.isEmpty)
        #expect(state.errors.map(\.description) == [
            #"specs/a.json:1:60: $.image.build.context: image x:1 is also made from another source at specs/b.json:1:60; give each source its own "ref""#,
            #"specs/b.json:1:60: $.image.build.context: image x:1 is also made from another source at specs/a.json:1:60; give each source its own "ref""#,
        ])
        // The same context twice is one image, built once.
        let c = #"{"name": "c", "image": {"ref": "x:1", "build": {"context": "one"}}}"#
        #expect(DesiredState.assemble(files: [("specs/a.json", Array(a.utf8)), ("specs/c.json", Array(c.utf8))]).errors.isEmpty)
    }
}
