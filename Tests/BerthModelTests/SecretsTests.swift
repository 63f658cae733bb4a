import BerthJSON
@testable import BerthModel
import Testing

/// Secrets in every form env takes: the name rule, `secretEnv`, `KEY=VALUE` entries of native
/// fragments, passwords in URLs; fingerprints keyed with the state folder's key.
struct SecretsTests {
    static let key: [UInt8] = Array("state-folder-key".utf8)

    @Test(arguments: ["DB_PASSWORD", "MYSQL_PASSWD", "SMTP_PASS", "AWS_CREDENTIALS", "BASIC_AUTH", "API_TOKEN", "SSH_KEY", "client_secret", "SENTRY_DSN"])
    func credentialNamesAreSecret(_ name: String) {
        #expect(Secrets.isSecret(key: name))
    }

    @Test(arguments: ["MODE", "HOME", "PORT", "LOG_LEVEL"])
    func plainNamesAreNot(_ name: String) {
        #expect(!Secrets.isSecret(key: name))
    }

    @Test func urlPasswordsAreMasked() {
        let mask = SecretMask(key: Self.key)
        let shown = mask.value(name: "DATABASE_URL", "postgres://app:s3cr3t@db:5432/shop?sslmode=require")
        #expect(shown == "postgres://app:\(mask.fingerprint("s3cr3t"))@db:5432/shop?sslmode=require")
        #expect(mask.value(name: "UPSTREAM", "http://example.com/a@b") == "http://example.com/a@b")
        #expect(mask.value(name: "MAIL", "ops@example.com") == "ops@example.com")
        #expect(mask.entry("BROKER=amqp://guest:guest@mq,redis://:pw@cache") == "BROKER=amqp://guest:\(mask.fingerprint("guest"))@mq,redis://:\(mask.fingerprint("pw"))@cache")
    }

    /// RFC 4231 test cases 1 and 2, and a key longer than a block (case 6).
    @Test func hmacMatchesTheRFCVectors() {
        #expect(HMAC.sha256Hex(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(HMAC.sha256Hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(HMAC.sha256Hex(key: [UInt8](repeating: 0xaa, count: 131), message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func hmacComparesWholeValues() {
        #expect(HMAC.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!HMAC.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!HMAC.constantTimeEqual([1, 2], [1, 2, 3]))
    }

    @Test func fingerprintsAreKeyed() {
        // RFC 4231, test case 2.
        #expect(HMAC.sha256Hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let unkeyed = "(redacted:" + String(SHA256.hex("hunter2").prefix(6)) + ")"
        #expect(SecretMask(key: Self.key).fingerprint("hunter2") != unkeyed)
        #expect(SecretMask(key: Self.key).fingerprint("hunter2") != SecretMask(key: [1, 2, 3]).fingerprint("hunter2"))
    }

    static func dockerSpec(_ token: String, secretEnv: Set<String> = []) -> Spec {
        var spec = Spec(name: "web", image: "busybox:1", env: ["LICENSE": "lic-\(token)"], docker: .object([
            "Env": .array([.string("API_TOKEN=\(token)"), .string("DATABASE_URL=postgres://u:\(token)@db/x"), .string("MODE=a")]),
        ]))
        spec.secretEnv = secretEnv
        return spec
    }

    /// A replacement's diff, the plan's text and JSON and the stored configuration hold no secret.
    @Test func dockerEnvSecretsAreAbsentFromPlanAndStoredConfig() {
        let old = Self.dockerSpec("hunter2-v1", secretEnv: ["LICENSE"]), new = Self.dockerSpec("hunter2-v2", secretEnv: ["LICENSE"])
        let stored = old.canonicalConfig(secrets: .fingerprint(key: Self.key))
        var context = PlanContext(owner: "main", knownConfigs: [old.configHash: stored])
        context.secretKey = Self.key
        let observed = ObservedResource(id: "c1", name: "web", replica: 1, engineName: "main-web-1", configHash: old.configHash, state: .running)
        let plan = Planner.plan(desired: DesiredState(specs: [new]), observed: [observed], context: context)
        let text = plan.description, json = plan.json.serialized()
        for output in [text, json, stored.canonicalText, new.canonicalConfig(secrets: .fingerprint(key: Self.key)).canonicalText] {
            #expect(!output.contains("hunter2"))
        }
        #expect(text == """
            ~ replace docker container web #1: configuration changed [start-first]
                docker.Env.API_TOKEN: (secret value changed)
                docker.Env.DATABASE_URL: "postgres://u:\(SecretMask(key: Self.key).fingerprint("hunter2-v1"))@db/x" -> "postgres://u:\(SecretMask(key: Self.key).fingerprint("hunter2-v2"))@db/x"
                env.LICENSE: (secret value changed)
            Plan: 1 to replace.
            """)
    }

    /// Swarm: the fragment's ContainerSpec.Env is masked in the stored configuration and in drift.
    @Test func swarmEnvSecretsAreAbsentFromDriftAndStoredConfig() {
        func spec(_ token: String) -> Spec {
            Spec(name: "api", target: "swarm", image: "busybox:1", swarm: .object(["TaskTemplate": .object(["ContainerSpec": .object([
                "Env": .array([.string("SERVICE_AUTH=\(token)")])])])]))
        }
        let wanted = spec("hunter2-v1"), running = spec("hunter2-v2")
        #expect(!wanted.canonicalConfig(secrets: .fingerprint(key: Self.key)).canonicalText.contains("hunter2"))
        let native = ServiceBody.make(spec: running, owner: "main", configHash: wanted.configHash)
        let observed = ObservedResource(id: "s1", target: "swarm", kind: "service", name: "api", replica: nil, engineName: "main-api",
                                        configHash: wanted.configHash, state: .running, native: native, running: 1)
        var context = PlanContext(owner: "main")
        context.secretKey = Self.key
        let plan = Planner.plan(desired: DesiredState(specs: [wanted]), observed: [observed], context: context)
        #expect(plan.description.contains("env.SERVICE_AUTH: (secret value changed)"))
        #expect(!plan.description.contains("hunter2") && !plan.json.serialized().contains("hunter2"))
    }

    @Test func urlPasswordsAnywhereInTheStoredConfigAreMasked() {
        let spec = Spec(name: "w", image: "busybox:1", command: ["migrate", "--db", "mysql://root:hunter2@db/app"], labels: ["source": "https://ci:hunter2@git.example/x"])
        let stored = spec.canonicalConfig(secrets: .fingerprint(key: Self.key)).canonicalText
        #expect(!stored.contains("hunter2"))
        #expect(stored.contains("mysql://root:\(SecretMask(key: Self.key).fingerprint("hunter2"))@db/app"))
        // The hash is over the real values: a changed password still replaces the container.
        #expect(spec.canonicalConfig().canonicalText.contains("hunter2"))
    }

    @Test func secretEnvIsReadAndChecked() {
        let good = SpecDecoder.decode(file: "a.json", bytes: Array(#"{"name": "w", "image": "busybox:1", "secretEnv": ["LICENSE"]}"#.utf8))
        #expect(good.specs.first?.secretEnv == ["LICENSE"])
        let bad = SpecDecoder.decode(file: "a.json", bytes: Array(#"{"name": "w", "image": "busybox:1", "secretEnv": ["A=B"]}"#.utf8))
        #expect(bad.errors.map(\.description) == ["a.json:1:51: $.secretEnv[0]: environment variable names must be non-empty and contain no '=', NUL or control characters"])
    }
}
