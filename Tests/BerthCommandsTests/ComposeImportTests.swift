@testable import BerthCommands
import BerthJSON
import BerthModel
import Testing

/// Compose files written for the tests, translated in process: what each key becomes, what
/// is reported by line, and what makes the import fail.
@Suite("Compose import")
struct ComposeImportTests {
    func translate(_ yaml: String, environment: [String: String] = [:], dotEnv: [String: String] = [:],
                   files: [String: String] = [:], accepted: Set<String>? = nil, containerUpdate: Bool = ComposeImport.containerUpdateAccepted) -> ComposeImport {
        var translation = ComposeImport(
            file: "compose.yml", variables: ComposeVariables(environment: environment, dotEnv: dotEnv),
            composeDirectory: "/project", outDirectory: "/project/specs",
            readFile: { path in
                guard let text = files[path] else { throw ComposeVariables.Failure(message: "no such file") }
                return text
            })
        if let accepted { translation.acceptedFields = accepted }
        translation.acceptsContainerUpdate = containerUpdate
        translation.run(yaml)
        return translation
    }

    func spec(_ translation: ComposeImport, _ name: String) -> JSONValue? {
        translation.outputs.first { $0.name == name }?.spec
    }

    @Test func everyTranslatedKey() throws {
        let yaml = """
        services:
          web:
            image: nginx:1.27
            command: nginx -g 'daemon off;'
            entrypoint: ["/docker-entrypoint.sh"]
            environment:
              MODE: production
              WORKERS: 4
            env_file: web.env
            ports:
              - "8080:80"
              - 127.0.0.1:8443:443/tcp
              - target: 53
                published: 5353
                protocol: udp
            volumes:
              - ./html:/usr/share/nginx/html:ro
              - cache:/var/cache/nginx
              - type: bind
                source: /etc/ssl
                target: /ssl
                read_only: true
            labels: [tier=front, "team=web"]
            restart: unless-stopped
            init: true
            stop_grace_period: 1m30s
            deploy:
              replicas: 1
          app:
            build:
              context: ./app
              dockerfile: Dockerfile.prod
              args: {VERSION: "2"}
            scale: 3
        """
        let translation = translate(yaml, files: ["/project/web.env": "MODE=dev\nFROM_FILE=yes\n"])
        #expect(translation.errors == [])
        #expect(translation.notes == [])
        let web = try #require(spec(translation, "web"))
        #expect(web == .object([
            "name": "web", "image": "nginx:1.27",
            "command": .array(["nginx", "-g", "daemon off;"]),
            "env": .object(["MODE": "production", "WORKERS": "4", "FROM_FILE": "yes"]),
            "ports": .array(["8080:80/tcp", "127.0.0.1:8443:443/tcp", "5353:53/udp"]),
            "volumes": .array(["/project/html:/usr/share/nginx/html:ro", "cache:/var/cache/nginx", "/etc/ssl:/ssl:ro"]),
            "labels": .object(["tier": "front", "team": "web"]),
            "restart": "unless-stopped",
            "replicas": .number("1"),
            "docker": .object(["Entrypoint": .array(["/docker-entrypoint.sh"]), "StopTimeout": .number("90"),
                               "HostConfig": .object(["Init": .bool(true)])]),
        ]))
        let app = try #require(spec(translation, "app"))
        #expect(app == .object([
            "name": "app", "replicas": .number("3"),
            "image": .object(["ref": "project-app:latest",
                              "build": .object(["context": "../app", "dockerfile": "Dockerfile.prod", "args": .object(["VERSION": "2"])])]),
        ]))
        // What is written is what berth accepts today.
        for output in translation.outputs {
            let result = SpecDecoder.decode(file: "/project/specs/\(output.name).json", bytes: Array(output.spec.serialized().utf8))
            #expect(result.errors.map(\.description) == [])
        }
    }

    /// Keys without a portable field go into the `docker` fragment, checked like any other.
    @Test func engineKeysGoToTheDockerFragment() throws {
        let yaml = """
        services:
          web:
            image: nginx:1
            user: "101:101"
            working_dir: /srv
            hostname: web
            read_only: true
            cap_drop: [ALL]
            cap_add: [NET_BIND_SERVICE]
            extra_hosts: {db: 10.0.0.5}
            logging:
              driver: json-file
              options: {max-size: 10m}
            mem_limit: 1.5g
            deploy:
              resources:
                limits: {cpus: "0.5", pids: 100}
                reservations: {memory: 64m}
        """
        let translation = translate(yaml)
        #expect(translation.errors == [])
        #expect(translation.notes == [])
        #expect(spec(translation, "web")?["docker"] == .object([
            "User": "101:101", "WorkingDir": "/srv", "Hostname": "web",
            "HostConfig": .object(["ReadonlyRootfs": .bool(true), "CapDrop": .array(["ALL"]), "CapAdd": .array(["NET_BIND_SERVICE"]),
                                   "ExtraHosts": .array(["db:10.0.0.5"]),
                                   "LogConfig": .object(["Type": "json-file", "Config": .object(["max-size": "10m"])]),
                                   "Memory": .number("1610612736"), "NanoCpus": .number("500000000"), "PidsLimit": .number("100"),
                                   "MemoryReservation": .number("67108864")]),
        ]))
        let output = try #require(translation.outputs.first)
        #expect(SpecDecoder.decode(file: "/project/specs/web.json", bytes: Array(output.spec.serialized().utf8)).errors.map(\.description) == [])
    }

    /// `deploy.restart_policy.condition` is a restart policy; `restart` itself wins.
    @Test func deployRestartPolicy() throws {
        let yaml = """
        services:
          a:
            image: a:1
            deploy: {restart_policy: {condition: on-failure, max_attempts: 3}}
          b:
            deploy: {restart_policy: {condition: any}}
            restart: "no"
            image: b:1
        """
        let translation = translate(yaml)
        #expect(spec(translation, "a")?["restart"] == "on-failure")
        #expect(spec(translation, "b")?["restart"] == "no")
        #expect(translation.notes.map(\.description) == [
            "4: services.a.deploy.restart_policy.max_attempts: not translated (berth's restart is a policy name: no, always, on-failure or unless-stopped)",
        ])
    }

    @Test func anchorsAndMergeKeysAreShared() throws {
        let yaml = """
        x-defaults: &defaults
          restart: always
          environment: &env
            LOG: info
        services:
          a:
            <<: *defaults
            image: busybox:1
          b:
            <<: *defaults
            image: busybox:1
            restart: "no"
        """
        let translation = translate(yaml)
        #expect(translation.errors == [])
        #expect(spec(translation, "a")?["restart"] == "always")
        #expect(spec(translation, "a")?["env"] == .object(["LOG": "info"]))
        #expect(spec(translation, "b")?["restart"] == "no")
        #expect(spec(translation, "b")?["env"] == .object(["LOG": "info"]))
    }

    @Test func variablesFromEnvironmentAndDotEnv() throws {
        let yaml = """
        services:
          web:
            image: "registry.example/web:${TAG}"
            ports: ["${PORT:-8080}:80"]
            environment:
              GREETING: hello ${WHO}
              DB_PASSWORD: ${DB_PASSWORD}
              API_TOKEN:
              PRICE: $$5
              PIN: 0123
              HOME_REF: $$HOME
            labels: {version: 1.50, build: 0x1F}
        """
        let translation = translate(yaml, environment: ["TAG": "2.0", "WHO": "env"], dotEnv: ["TAG": "1.0", "WHO": "dotenv", "DB_PASSWORD": "s3cret"])
        #expect(translation.errors == [])
        let web = try #require(spec(translation, "web"))
        #expect(web["image"] == "registry.example/web:2.0")
        #expect(web["ports"] == .array(["8080:80/tcp"]))
        // A value that is only a variable stays a reference: the secret is not written.
        #expect(web["env"] == .object(["GREETING": "hello env", "DB_PASSWORD": .object(["env": "DB_PASSWORD"]),
                                       "API_TOKEN": .object(["env": "API_TOKEN"]), "PRICE": "$5", "HOME_REF": "$HOME", "PIN": "0123"]))
        // Numbers are text in env and labels: kept as written, not as YAML reads them.
        #expect(web["labels"] == .object(["version": "1.50", "build": "0x1F"]))
        #expect(!web.serialized().contains("s3cret"))
        #expect(translation.notes.map(\.description) == [
            #"7: services.web.environment.DB_PASSWORD: written as {"env": "DB_PASSWORD"}; DB_PASSWORD is set only in .env, and berth reads it from its own environment when it validates and applies: export it"#,
            #"8: services.web.environment.API_TOKEN: written as {"env": "API_TOKEN"}; API_TOKEN is not set here, and berth reads it from its own environment when it validates and applies: export it"#,
        ])
    }

    @Test func keysBerthCannotTranslateAreReportedByLine() throws {
        let yaml = """
        version: "3.9"
        services:
          web:
            image: nginx
            container_name: my-web
            expose: ["80"]
            networks: [backend]
            depends_on:
              db:
                condition: service_healthy
            healthcheck:
              test: ["CMD", "curl", "-f", "http://localhost/"]
              interval: 5s
            deploy:
              update_config: {parallelism: 1, order: start-first}
              resources: {limits: {memory: 64M}, reservations: {devices: []}}
            ports: ["80", "9000-9001:9000-9001"]
            volumes: [/data]
            restart: on-failure:3
          db:
            image: postgres:16
        networks:
          backend: {driver: overlay}
          plain: {}
        secrets:
          token: {file: ./token}
        """
        let translation = translate(yaml)
        #expect(translation.errors == [])
        #expect(translation.notes.map(\.description) == [
            "23: networks.backend: its settings are not translated (berth makes a plain network of this name for the specs that list it)",
            "25: secrets: not translated (berth has no top-level \"secrets\")",
            #"4: services.web.image: written as "nginx:latest" (berth refuses an image without a tag)"#,
            "5: services.web.container_name: not translated (berth names containers OWNER-NAME-N itself)",
            #"6: services.web.expose: not translated (berth has no equivalent of "expose")"#,
            "16: services.web.deploy.resources.reservations.devices: not translated (berth's resources take limits.memory, limits.cpus, limits.pids and reservations.memory)",
            "17: services.web.ports[0]: not translated (berth publishes on a host port you choose: write HOST:80)",
            "17: services.web.ports[1]: not translated (berth has no port ranges; write one port per entry)",
            "18: services.web.volumes[0]: not translated (berth has no anonymous volumes: name one, NAME:/data)",
            "19: services.web.restart: the retry count :3 is not translated (berth's on-failure retries without a limit)",
        ])
        #expect(spec(translation, "web")?["restart"] == "on-failure")
    }

    /// `depends_on` in both forms; a condition berth cannot express, and keys it has no
    /// equivalent of, are reported by line.
    @Test func dependsOnBothFormsAndConditions() throws {
        let yaml = """
        services:
          web:
            image: nginx:1
            depends_on: [api, my_db]
          api:
            image: nginx:1
            depends_on:
              my_db:
                condition: service_healthy
              migrate:
                condition: service_completed_successfully
                required: false
              cache:
                condition: service_started
                restart: true
          my_db: {image: postgres:16}
          migrate: {image: migrate:1}
          cache: {image: redis:7}
        """
        let translation = translate(yaml)
        #expect(translation.errors == [])
        #expect(spec(translation, "web")?["dependsOn"] == .array(["api", "my-db"]))
        #expect(spec(translation, "api")?["dependsOn"] == .array(["my-db", "migrate", "cache"]))
        #expect(translation.notes.map(\.description) == [
            "11: services.api.depends_on.migrate.condition: not translated (berth waits for migrate to run, and be healthy where it has a check, not to finish)",
            "12: services.api.depends_on.migrate.required: not translated (berth's dependencies are always required: a missing one is an error)",
            "15: services.api.depends_on.cache.restart: not translated (berth does not restart a dependent when its dependency is replaced)",
            #"16: services.my_db: the spec is named "my-db": berth names are lowercase letters, digits and '-'"#,
        ])
        let bad = translate("services:\n  web:\n    image: a:1\n    depends_on:\n      db: {condition: service_ready}\n  db: {image: a:1}\n")
        #expect(bad.errors.map(\.description) == [#"5: services.web.depends_on.db.condition: unknown condition "service_ready"; Compose's are service_started, service_healthy and service_completed_successfully"#])
    }

    /// The decoder takes `update` on a docker spec (a rollout of its replicas): asked of the
    /// decoder, not assumed.
    @Test func containerUpdateIsAskedOfTheDecoder() {
        #expect(ComposeImport.containerUpdateAccepted == true)
    }

    /// Once the decoder knows issue 14's fields, the same keys are written in its terms.
    @Test func laterFieldsAreWrittenOnceBerthHasThem() throws {
        let yaml = """
        services:
          web:
            image: nginx:1
            networks: {backend: {}}
            depends_on: [db]
            deploy:
              update_config: {parallelism: 1, order: start-first, failure_action: rollback, monitor: 20s}
            healthcheck:
              test: curl -f http://localhost/
              interval: 5s
              timeout: 2s
              retries: 3
              start_period: 10s
        """
        let translation = translate(yaml, accepted: Set(SpecDecoder.fields + ["health", "dependsOn", "networks"]), containerUpdate: true)
        #expect(translation.notes == [])
        let web = try #require(spec(translation, "web"))
        #expect(web["networks"] == .array(["backend"]))
        #expect(web["dependsOn"] == .array(["db"]))
        #expect(web["update"] == .object(["parallelism": .number("1"), "order": "start-first", "failureAction": "rollback", "monitor": "20s"]))
        #expect(web["health"] == .object(["cmd": .array(["/bin/sh", "-c", "curl -f http://localhost/"]), "interval": "5s",
                                          "timeout": "2s", "retries": .number("3"), "startPeriod": "10s"]))
    }

    @Test(arguments: [
        ("services:\n  web:\n    image: [a\n", ["3:12: $: a flow collection is not closed"]),
        ("services:\n  web:\n    image: \"x:${TAG:?set TAG}\"\n", ["3: services.web.image: TAG is required: set TAG"]),
        ("services:\n  web:\n    restart: always\n", ["2: services.web: the service has neither image nor build"]),
        ("services:\n  web:\n    image: a:1\n    env_file: missing.env\n", ["4: services.web.env_file: cannot read /project/missing.env: it does not exist or is not readable (add required: false if it may be missing)"]),
        ("services:\n  web:\n    image: a:1\n    ports: 80\n", ["4: services.web.ports: expected a list of ports, got number"]),
        ("services:\n  my_app:\n    image: a:1\n  my-app:\n    image: a:1\n", ["4: services.my-app: services \"my_app\" and \"my-app\" would both be the spec \"my-app\"; rename one"]),
        ("name: x\n", ["1: services: the file has no services"]),
    ])
    func errorsStopTheImport(_ yaml: String, _ expected: [String]) {
        let translation = translate(yaml)
        #expect(translation.errors.map(\.description) == expected)
    }

    @Test func optionalEnvFileMayBeMissing() {
        let yaml = "services:\n  web:\n    image: a:1\n    env_file:\n      - path: missing.env\n        required: false\n"
        let translation = translate(yaml)
        #expect(translation.errors == [])
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
