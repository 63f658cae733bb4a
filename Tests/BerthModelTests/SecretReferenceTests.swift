@testable import BerthModel
import Testing

/// `env` values written as {"file": …} or {"env": …}: the shape is checked with file, path
/// and line:column; the value (read by the commands) is a secret whatever its name.
struct SecretReferenceTests {
    static func decode(_ env: String) -> SpecDecoder.FileResult {
        SealedEnvTests.decode(env)
    }

    @Test func referencesAreReadBesideStrings() throws {
        let spec = try #require(Self.decode(#"{"MODE": "a", "DB": {"file": "/run/secrets/db"}, "API": {"env": "API_TOKEN"}}"#).specs.first)
        #expect(spec.env == ["MODE": "a"])
        #expect(spec.secretRefs["DB"]?.source == .file("/run/secrets/db"))
        #expect(spec.secretRefs["DB"]?.path.description == "$.env.DB.file")
        #expect(spec.secretRefs["API"]?.source == .environment("API_TOKEN"))
    }

    @Test(arguments: [
        (#"{"X": {"file": 5}}"#, "a.json:1:59: $.env.X.file: expected a string, got number"),
        (#"{"X": {"file": ""}}"#, "a.json:1:59: $.env.X.file: a secret file is a non-empty path without control characters"),
        (#"{"X": {"env": "A=B"}}"#, "a.json:1:58: $.env.X.env: an environment variable name is non-empty, without '=' or control characters"),
        (#"{"X": {"file": "a", "env": "B"}}"#, "a.json:1:50: $.env.X: an env value is a string, {\"sealed\": \"berth-sealed:v1:…\"} as `berth seal` prints it, {\"file\": PATH} or {\"env\": NAME}"),
    ])
    func badReferencesAreErrorsAtTheValue(_ env: String, _ expected: String) {
        #expect(Self.decode(env).errors.map(\.description) == [expected])
    }

    @Test func aResolvedValueIsShownAndStoredOnlyAsAFingerprint() throws {
        var spec = try #require(Self.decode(#"{"DB": {"file": "db.txt"}}"#).specs.first)
        spec.resolve("DB", value: "hunter2")
        #expect(spec.env["DB"] == "hunter2")
        let stored = spec.canonicalConfig(secrets: .fingerprint(key: SealedEnvTests.key))
        #expect(stored["env"]?["DB"]?.stringValue?.hasPrefix("(redacted:") == true)
        #expect(!"\(stored)".contains("hunter2"))
    }
}
