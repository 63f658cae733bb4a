@testable import BerthDocker
import BerthJSON
import BerthModel
import Testing

/// The portable `health` field in Docker's create-container body.
struct ContainerBodyHealthTests {
    static func spec(_ extra: String) throws -> Spec {
        let text = #"{"name": "web", "image": "busybox:1", "command": ["sleep", "3600"]\#(extra)}"#
        let result = SpecDecoder.decode(file: "web.json", bytes: Array(text.utf8))
        #expect(result.errors.isEmpty, "\(result.errors)")
        return try #require(result.specs.first)
    }

    @Test func healthBecomesConfigHealthcheckInNanoseconds() throws {
        let spec = try Self.spec(#", "health": {"cmd": ["CMD-like", "x"], "interval": "5s", "timeout": "2s", "retries": 3, "startPeriod": "10s"}"#)
        let body = ContainerBody.make(spec: spec, replica: 1, owner: "main", configHash: "h")
        #expect(body["Healthcheck"] == .object([
            "Test": .array(["CMD", "CMD-like", "x"].map(JSONValue.string)), "Interval": .number("5000000000"), "Timeout": .number("2000000000"),
            "Retries": .number("3"), "StartPeriod": .number("10000000000"),
        ]))
    }

    @Test func theNativeFragmentStillWins() throws {
        let spec = try Self.spec(#", "health": {"cmd": ["true"]}, "docker": {"Healthcheck": {"Test": ["NONE"]}}"#)
        #expect(ContainerBody.make(spec: spec, replica: 1, owner: "main", configHash: "h")["Healthcheck"] == .object(["Test": .array(["NONE"].map(JSONValue.string))]))
    }

    @Test func withoutHealthTheBodyHasNone() throws {
        #expect(ContainerBody.make(spec: try Self.spec(""), replica: 1, owner: "main", configHash: "h")["Healthcheck"] == nil)
    }
}
