import BerthJSON
@testable import BerthModel
import Testing

/// `env` values written as {"sealed": "…"}: their shape is checked with file, path and
/// line:column; once opened (by the commands) they count by value, not by sealed text, and
/// are shown and stored only as "(sealed…)".
struct SealedEnvTests {
    static let key: [UInt8] = Array("state-folder-key".utf8)
    /// A text of the right shape (the model cannot seal: that is BerthSeal's, with OpenSSL).
    static func sealed(_ filler: String = "a", fingerprint: String = "0123456789abcdef") -> String {
        SealedValue.prefix + fingerprint + ":" + Base64.encode(String(repeating: filler, count: 430))
    }

    static func decode(_ env: String) -> SpecDecoder.FileResult {
        let text = #"{"name": "w", "image": "busybox:1", "env": "# + env + "}"
        return SpecDecoder.decode(file: "a.json", bytes: Array(text.utf8))
    }

    @Test func aSealedValueIsReadBesideStrings() throws {
        let text = Self.sealed()
        let result = Self.decode(#"{"MODE": "a", "DB_PASSWORD": {"sealed": "\#(text)"}}"#)
        let spec = try #require(result.specs.first)
        #expect(spec.env == ["MODE": "a"])
        #expect(spec.sealedEnv["DB_PASSWORD"]?.text == text)
        #expect(spec.sealedEnv["DB_PASSWORD"]?.keyFingerprint == "0123456789abcdef")
        #expect(spec.sealedEnv["DB_PASSWORD"]?.path.description == "$.env.DB_PASSWORD.sealed")
    }

    @Test(arguments: [
        (#"{"X": {"sealed": 5}}"#, "a.json:1:61: $.env.X.sealed: expected the sealed text (a string), got number; an env value is a string, {\"sealed\": \"berth-sealed:v1:…\"} as `berth seal` prints it, {\"file\": PATH} or {\"env\": NAME}"),
        (#"{"X": {"seal": "x"}}"#, "a.json:1:50: $.env.X: an env value is a string, {\"sealed\": \"berth-sealed:v1:…\"} as `berth seal` prints it, {\"file\": PATH} or {\"env\": NAME}"),
        (#"{"X": {"sealed": "x", "y": 1}}"#, "a.json:1:50: $.env.X: an env value is a string, {\"sealed\": \"berth-sealed:v1:…\"} as `berth seal` prints it, {\"file\": PATH} or {\"env\": NAME}"),
        (#"{"X": {"sealed": "hunter2"}}"#, "a.json:1:61: $.env.X.sealed: a sealed value starts with \"berth-sealed:v1:\"; make one with `berth seal`"),
        (#"{"X": {"sealed": "berth-sealed:v1:0123:AAAA"}}"#, "a.json:1:61: $.env.X.sealed: the key fingerprint of a sealed value is 16 lowercase hex digits, got \"0123\""),
        (#"{"X": {"sealed": "berth-sealed:v1:0123456789abcdef:AAAA"}}"#, "a.json:1:61: $.env.X.sealed: the sealed value is cut short: 3 bytes, at least 412 expected"),
        (#"{"X": {"sealed": "berth-sealed:v1:0123456789abcdef:AA*A"}}"#, "a.json:1:61: $.env.X.sealed: the sealed data after the key fingerprint is not base64 (cut short or changed?)"),
        (#"{"X": {"sealed": "berth-sealed:v1:0123456789abcdef"}}"#, "a.json:1:61: $.env.X.sealed: a sealed value is \"berth-sealed:v1:FINGERPRINT:DATA\"; this one is cut short or changed"),
        (#"{"X": ["a"]}"#, "a.json:1:50: $.env.X: expected a string, got array"),
    ])
    func badShapesAreErrorsAtTheValue(_ env: String, _ expected: String) {
        #expect(Self.decode(env).errors.map(\.description) == [expected])
    }

    @Test func aTruncatedSealedTextIsAnError() {
        let text = Self.sealed()
        let result = Self.decode(#"{"X": {"sealed": "\#(text.prefix(text.count - 100))"}}"#)
        #expect(result.errors.map(\.message) == ["the sealed value is cut short: 357 bytes, at least 412 expected"])
    }

    static func opened(_ sealedText: String, _ value: String) -> Spec {
        var spec = decode(#"{"MODE": "a", "DB_PASSWORD": {"sealed": "\#(sealedText)"}}"#).specs[0]
        spec.unseal("DB_PASSWORD", value: value)
        return spec
    }

    static func plan(from old: Spec, to new: Spec) -> Plan {
        var context = PlanContext(owner: "main", knownConfigs: [old.configHash: old.canonicalConfig(secrets: .fingerprint(key: key))])
        context.secretKey = key
        let observed = ObservedResource(id: "c1", name: "w", replica: 1, engineName: "main-w-1", configHash: old.configHash, state: .running)
        return Planner.plan(desired: DesiredState(specs: [new]), observed: [observed], context: context)
    }

    @Test func sealingTheSameValueAgainReplacesNothing() {
        let old = Self.opened(Self.sealed("a"), "hunter2"), new = Self.opened(Self.sealed("b"), "hunter2")
        #expect(old.sealedEnv != new.sealedEnv)
        #expect(old.configHash == new.configHash)
        #expect(Self.plan(from: old, to: new).actions.isEmpty)
    }

    @Test func aNewValueReplacesAndIsShownOnlyAsSealed() {
        let old = Self.opened(Self.sealed("a"), "hunter2-v1"), new = Self.opened(Self.sealed("b"), "hunter2-v2")
        #expect(old.configHash != new.configHash)
        let plan = Self.plan(from: old, to: new)
        #expect(plan.description == """
            ~ replace docker container w #1: configuration changed [start-first]
                env.DB_PASSWORD: (sealed) value changed
            Plan: 1 to replace.
            """)
        let stored = new.canonicalConfig(secrets: .fingerprint(key: Self.key)).canonicalText
        for output in [plan.description, plan.json.serialized(), stored] {
            #expect(!output.contains("hunter2"))
        }
        #expect(stored.contains(#""DB_PASSWORD":"(sealed:"#))
        // Nor is the sealed text in the stored configuration: it does not decide anything.
        #expect(!stored.contains(SealedValue.prefix))
    }
}

/// Swarm and Kubernetes take env through the same path: an opened value reaches the
/// service's and the Deployment's env, and their drift shows it only masked.
struct SealedEnvPlatformTests {
    @Test func swarmAndKubernetesGetTheOpenedValue() throws {
        for target in ["swarm", "kubernetes"] {
            let text = #"{"name": "w", "target": "\#(target)", "image": "busybox:1", "env": {"WELCOME": {"sealed": "\#(SealedEnvTests.sealed())"}}}"#
            var spec = try #require(SpecDecoder.decode(file: "a.json", bytes: Array(text.utf8)).specs.first, "\(target)")
            spec.unseal("WELCOME", value: "hunter2")
            if target == "swarm" {
                let body = ServiceBody.make(spec: spec, owner: "main", configHash: spec.configHash)
                #expect(body["TaskTemplate"]?["ContainerSpec"]?["Env"] == .array([.string("WELCOME=hunter2")]))
                var other = spec
                other.unseal("WELCOME", value: "hunter3")
                let drift = NativeDrift.changes(desired: body, observed: ServiceBody.make(spec: other, owner: "main", configHash: spec.configHash),
                                                mask: spec.secretMask(key: SealedEnvTests.key))
                #expect(!drift.isEmpty && !drift.description.contains("hunter"))
            } else {
                let objects = KubeObjects.make(spec: spec, owner: "main", defaultNamespace: "default", isNamespaced: { _, _ in true })
                let deployment = try #require(objects.first { $0.id.kind == "Deployment" })
                #expect(deployment.body.canonicalText.contains(#"{"name":"WELCOME","value":"hunter2"}"#))
            }
        }
    }

    /// A sealed variable removed from a Swarm spec: the service still holds the value, but the
    /// plan says what changed from the recorded configuration, where it was sealed.
    @Test func aRemovedSealedVariableOnSwarmIsShownOnlyAsSealed() throws {
        let text = #"{"name": "w", "target": "swarm", "image": "busybox:1", "env": {"MODE": "a", "WELCOME": {"sealed": "\#(SealedEnvTests.sealed())"}}}"#
        var old = try #require(SpecDecoder.decode(file: "a.json", bytes: Array(text.utf8)).specs.first)
        old.unseal("WELCOME", value: "hunter2")
        var new = old
        new.sealedEnv = [:]
        new.env = ["MODE": "a"]
        let native = ServiceBody.make(spec: old, owner: "main", configHash: old.configHash)
        let observed = ObservedResource(id: "s1", target: "swarm", kind: "service", name: "w", replica: nil, engineName: "main-w",
                                        configHash: old.configHash, state: .running, native: native, running: 1)
        var context = PlanContext(owner: "main", knownConfigs: [old.configHash: old.canonicalConfig(secrets: .fingerprint(key: SealedEnvTests.key))])
        context.secretKey = SealedEnvTests.key
        let plan = Planner.plan(desired: DesiredState(specs: [new]), observed: [observed], context: context)
        #expect(plan.description.contains("env.WELCOME: (sealed) removed"), "\(plan.description)")
        #expect(!plan.description.contains("hunter2") && !plan.json.serialized().contains("hunter2"))
    }

    /// Kubernetes: the Deployment names its sealed variables in an annotation, so removing one
    /// from the spec shows the removal without the value the cluster still holds.
    @Test func aRemovedSealedVariableOnKubernetesShowsNoValue() throws {
        let text = #"{"name": "w", "target": "kubernetes", "image": "busybox:1", "env": {"MODE": "a", "WELCOME": {"sealed": "\#(SealedEnvTests.sealed())"}}}"#
        var old = try #require(SpecDecoder.decode(file: "a.json", bytes: Array(text.utf8)).specs.first)
        old.unseal("WELCOME", value: "hunter2")
        var new = old
        new.sealedEnv = [:]
        new.env = ["MODE": "a"]
        func deployment(_ spec: Spec) throws -> JSONValue {
            try #require(KubeObjects.make(spec: spec, owner: "main", defaultNamespace: "default", isNamespaced: { _, _ in true })
                .first { $0.id.kind == "Deployment" }).body
        }
        let applied = try deployment(old)
        #expect(applied["metadata"]?["annotations"]?[Labels.sealedEnv] == .string("WELCOME"))
        // What berth owns, as the server records it for manager "berth".
        let owned = try JSONParser.parse(#"{"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"w\"}": {"f:env": {"k:{\"name\":\"MODE\"}": {"f:value": {}}, "k:{\"name\":\"WELCOME\"}": {"f:value": {}}}}}}}}}"#).value
        let observed = applied.merging(.object(["metadata": .object(["managedFields": .array([.object([
            "manager": .string("berth"), "operation": .string("Apply"), "fieldsV1": owned])])])]))
        let changes = KubeRemovedFields.changes(desired: try deployment(new), observed: observed)
        #expect(changes.map(\.description) == ["spec.template.spec.containers[w].env[WELCOME]: (secret removed)"])
        #expect(try deployment(new)["metadata"]?["annotations"]?[Labels.sealedEnv] == nil)
    }
}
