import BerthJSON
@testable import BerthModel
import Testing

/// The portable `health` field: what the decoder refuses (with positions), what each
/// platform's body gets, and that specs without it keep the hash they always had.
struct HealthCheckTests {
    static func decode(_ text: String) -> SpecDecoder.FileResult {
        SpecDecoder.decode(file: "specs/a.json", bytes: Array(text.utf8))
    }

    static func spec(_ health: String, target: String = "docker") throws -> Spec {
        let result = decode(#"{"name": "web", "image": "busybox:1", "target": "\#(target)", "health": \#(health)}"#)
        #expect(result.errors.isEmpty, "\(result.errors)")
        return try #require(result.specs.first)
    }

    @Test(arguments: [
        (#"{"name": "web", "image": "busybox:1", "health": ["true"]}"#,
         [#"specs/a.json:1:49: $.health: expected an object like {"cmd": ["/bin/check"], "interval": "5s", "timeout": "2s", "retries": 3, "startPeriod": "10s"}, got array"#]),
        (#"{"name": "web", "image": "busybox:1", "health": {"interval": "5s"}}"#,
         [#"specs/a.json:1:49: $.health: missing required field "cmd": the command that says whether the container is healthy"#]),
        (#"{"name": "web", "image": "busybox:1", "health": {"cmd": "true"}}"#,
         ["specs/a.json:1:57: $.health.cmd: expected an array of strings, got string"]),
        (#"{"name": "web", "image": "busybox:1", "health": {"cmd": []}}"#,
         [#"specs/a.json:1:57: $.health.cmd: the health command is empty; write the program and its arguments, like ["/bin/check", "--quick"] (no shell: ["/bin/sh", "-c", "…"] for one)"#]),
        ("{\"name\": \"web\", \"image\": \"busybox:1\",\n \"health\": {\"cmd\": [\"true\"],\n  \"interval\": \"soon\", \"timeout\": \"0s\"}}",
         [#"specs/a.json:3:15: $.health.interval: "soon" is not a duration like "500ms", "5s" or "1m" (at least 1ms, at most a week)"#,
          #"specs/a.json:3:34: $.health.timeout: "0s" is not a duration like "500ms", "5s" or "1m" (at least 1ms, at most a week)"#]),
        (#"{"name": "web", "image": "busybox:1", "health": {"cmd": ["true"], "retries": -1}}"#,
         ["specs/a.json:1:78: $.health.retries: expected an integer from 0 to 1000, got -1"]),
        (#"{"name": "web", "image": "busybox:1", "health": {"cmd": ["true"], "intervall": 3}}"#,
         [#"specs/a.json:1:67: $.health.intervall: unknown health field "intervall"; did you mean "interval"?"#]),
        (#"{"name": "web", "target": "kubernetes", "manifests": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}], "health": {"cmd": ["true"]}}"#,
         [#"specs/a.json:1:126: $.health: "health" describes the Deployment berth generates from "image"; this spec has no image, only manifests"#]),
    ])
    func refusedWithPosition(_ input: String, _ expected: [String]) {
        #expect(Self.decode(input).errors.map(\.description) == expected)
    }

    @Test func durationsAreReadAsBerthReadsThemElsewhere() {
        #expect(DurationText.nanoseconds("500ms") == 500_000_000)
        #expect(DurationText.nanoseconds("1.5s") == 1_500_000_000)
        #expect(DurationText.nanoseconds("2m") == 120_000_000_000)
        #expect(DurationText.nanoseconds("1h") == 3_600_000_000_000)
        #expect(DurationText.nanoseconds("3") == 3_000_000_000)
        #expect(DurationText.nanoseconds("1m30s") == nil)
        #expect(DurationText.nanoseconds("-1s") == nil)
        #expect(DurationText.nanoseconds("s") == nil)
        #expect(DurationText.nanoseconds("8d") == nil)
    }

    static let full = #"{"cmd": ["/bin/check", "--quick"], "interval": "5s", "timeout": "2s", "retries": 3, "startPeriod": "10s"}"#

    @Test func decodedIntoNanoseconds() throws {
        let spec = try Self.spec(Self.full)
        #expect(spec.health == HealthCheck(command: ["/bin/check", "--quick"], intervalNanoseconds: 5_000_000_000,
                                           timeoutNanoseconds: 2_000_000_000, retries: 3, startPeriodNanoseconds: 10_000_000_000))
    }

    /// Specs written before `health` existed keep their hash: nothing of them is replaced on upgrade.
    @Test func inTheConfigHashOnlyWhenPresent() throws {
        let plain = try #require(Self.decode(#"{"name": "web", "image": "busybox:1"}"#).specs.first)
        let text = #"{"env":{},"image":"busybox:1","labels":{},"ports":[],"target":"docker","volumes":[]}"#
        #expect(plain.canonicalConfig().canonicalText == text)
        #expect(plain.configHash == SHA256.hex(text))
        let checked = try Self.spec(#"{"cmd": ["true"]}"#)
        #expect(checked.configHash != plain.configHash)
        #expect(checked.canonicalConfig()["health"] == .object(["Test": .array(["CMD", "true"].map(JSONValue.string))]))
        var other = checked
        other.health?.retries = 5
        #expect(other.configHash != checked.configHash)
    }

    @Test func swarmTaskGetsTheEngineHealthcheck() throws {
        let spec = try Self.spec(Self.full, target: "swarm")
        let body = ServiceBody.make(spec: spec, owner: "main", configHash: "h")
        #expect(body["TaskTemplate"]?["ContainerSpec"]?["Healthcheck"] == .object([
            "Test": .array(["CMD", "/bin/check", "--quick"].map(JSONValue.string)), "Interval": .number("5000000000"), "Timeout": .number("2000000000"),
            "Retries": .number("3"), "StartPeriod": .number("10000000000"),
        ]))
        // What the engine answers back is what berth sent: no drift.
        #expect(NativeDrift.changes(desired: body, observed: body) == [])
        let plain = ServiceBody.make(spec: Spec(name: "web", target: "swarm", image: "busybox:1"), owner: "main", configHash: "h")
        #expect(plain["TaskTemplate"]?["ContainerSpec"]?["Healthcheck"] == nil)
    }

    @Test func kubernetesDeploymentGetsAReadinessProbe() throws {
        let spec = try Self.spec(#"{"cmd": ["/bin/check"], "interval": "5s", "timeout": "1500ms", "retries": 3, "startPeriod": "10s"}"#, target: "kubernetes")
        let objects = KubeObjects.make(spec: spec, owner: "main", defaultNamespace: "default", isNamespaced: { _, _ in true })
        let deployment = try #require(objects.first { $0.body["kind"]?.stringValue == "Deployment" })
        let container = deployment.body["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
        #expect(container?["readinessProbe"] == .object([
            "exec": .object(["command": .array(["/bin/check"].map(JSONValue.string))]), "periodSeconds": .number("5"), "timeoutSeconds": .number("2"),
            "failureThreshold": .number("3"), "initialDelaySeconds": .number("10"),
        ]))
        let bare = try Self.spec(#"{"cmd": ["true"]}"#, target: "kubernetes")
        let bareObjects = KubeObjects.make(spec: bare, owner: "main", defaultNamespace: "default", isNamespaced: { _, _ in true })
        #expect(bareObjects.first?.body["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["readinessProbe"]
                == .object(["exec": .object(["command": .array(["true"].map(JSONValue.string))])]))
    }
}
