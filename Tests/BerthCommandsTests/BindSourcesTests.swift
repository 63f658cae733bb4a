@testable import BerthCommands
import BerthModel
import Testing

/// Bind sources on an engine of this host: a missing one makes its file invalid, with the
/// error at the mount; other targets, named volumes and present paths are left alone.
struct BindSourcesTests {
    static func decoded(_ text: String, file: String = "specs/web.json") -> [Spec] {
        SpecDecoder.decode(file: file, bytes: Array(text.utf8)).specs
    }

    @Test func aMissingSourceInvalidatesItsFileAtTheMount() {
        let web = Self.decoded(#"{"name": "web", "image": "busybox:1", "volumes": ["data:/data", "/srv/ok:/ok",\#n {"source": "/srv/gone", "target": "/g"}]}"#)
        let api = Self.decoded(#"{"name": "api", "image": "busybox:1", "volumes": ["/srv/gone:/g"], "target": "swarm"}"#, file: "specs/api.json")
        var state = DesiredState(specs: web + api)
        let missing = BindSources.check(&state, local: [.docker], exists: { $0 == "/srv/ok" })
        #expect(missing == ["/srv/gone"])
        #expect(state.specs.map(\.name) == ["api"], "a swarm target is not checked")
        #expect(state.invalidFiles == ["specs/web.json"])
        #expect(state.errors.map(\.description) == [
            "specs/web.json:2:2: $.volumes[2]: bind source /srv/gone does not exist on this host: create it, or fix the path (the engine would make an empty folder owned by root in its place)",
        ])
    }

    @Test func aRemoteEngineIsNotChecked() {
        var state = DesiredState(specs: Self.decoded(#"{"name": "web", "image": "busybox:1", "volumes": ["/srv/gone:/g"]}"#))
        #expect(BindSources.check(&state, local: [], exists: { _ in false }).isEmpty)
        #expect(state.specs.count == 1 && state.errors.isEmpty && state.invalidFiles.isEmpty)
    }
}
