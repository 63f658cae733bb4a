import BerthJSON
@testable import BerthModel
import Testing

/// Planner decisions for target kubernetes, as the golden text `berth plan` prints.
struct KubePlannerTests {
    static let context = PlanContext(owner: "main", kubeIsNamespaced: ["v1/Namespace": false])
    static let web = Spec(
        name: "web", target: "kubernetes", image: "nginx:1.27", env: ["MODE": "prod", "DB_PASSWORD": "s3cret-one"],
        replicas: 3, ports: [PortMapping(hostPort: 8080, containerPort: 80)],
        origin: SpecOrigin(file: "specs/web.json", path: .root, position: JSONPosition(line: 1, column: 1)))

    static func objects(_ spec: Spec) -> [KubeObject] {
        KubeObjects.make(spec: spec, owner: "main", defaultNamespace: "default", isNamespaced: { context.kubeFacts(.kubernetes).isNamespaced(apiVersion: $0, kind: $1) })
    }

    /// What the API server returns for an applied object: the object plus what the server
    /// fills in (uid, managedFields, defaults, status), as a list item (no apiVersion, kind).
    static func served(_ object: KubeObject, edit: (inout JSONValue) -> Void = { _ in }) -> ObservedResource {
        var body = object.body.merging(.object([
            "metadata": .object([
                "uid": .string("0f6a-\(object.name)"), "resourceVersion": .string("4711"), "generation": .number("2"),
                "creationTimestamp": .string("2026-11-24T05:00:00Z"), "managedFields": .array([.object(["manager": .string("berth")])]),
                "annotations": .object(["deployment.kubernetes.io/revision": .string("1")]),
            ]),
            "status": .object(["replicas": .number("3")]),
        ]))
        if object.kind == "Deployment" {
            var containers = body["spec"]!["template"]!["spec"]!["containers"]!.arrayValue!
            containers[0] = containers[0].merging(.object([
                "imagePullPolicy": .string("IfNotPresent"), "terminationMessagePath": .string("/dev/termination-log"),
            ]))
            body = body.merging(.object(["spec": .object([
                "strategy": .object(["type": .string("RollingUpdate")]), "revisionHistoryLimit": .number("10"),
                "template": .object(["spec": .object(["containers": .array(containers), "restartPolicy": .string("Always")])]),
            ])]))
        }
        if object.kind == "Service" {
            body = body.merging(.object(["spec": .object(["clusterIP": .string("10.96.0.12"), "type": .string("ClusterIP")])]))
        }
        if object.kind == "Secret", var fields = body.objectValue, let strings = fields["stringData"]?.objectValue {
            // The server keeps stringData only as base64 in data.
            var data = fields["data"]?.objectValue ?? [:]
            for (key, value) in strings { data[key] = .string(Base64.encode(value.stringValue ?? "")) }
            fields["data"] = .object(data)
            fields["stringData"] = nil
            body = .object(fields)
        }
        edit(&body)
        var item = body.objectValue!
        item["apiVersion"] = nil
        item["kind"] = nil
        return .kubernetes(object: .object(item), apiVersion: object.apiVersion, kind: object.kind)
    }

    static func served(_ spec: Spec) -> [ObservedResource] { objects(spec).map { served($0) } }

    static func plan(_ specs: [Spec], _ observed: [ObservedResource], invalid: [String] = [], context: PlanContext = context) -> Plan {
        Planner.plan(desired: DesiredState(specs: specs, invalidFiles: invalid), observed: observed, context: context)
    }

    @Test func missingObjectsAreCreatedWithTheirBody() throws {
        let plan = Self.plan([Self.web], [])
        #expect(plan.description == """
            + create kubernetes apps/v1 Deployment default/web (spec web): missing
                image: "nginx:1.27"
                env.DB_PASSWORD: (secret)
                env.MODE: "prod"
                ports: ["8080:80/tcp"]
                replicas: 3
            + create kubernetes v1 Service default/web (spec web): missing
            Plan: 2 to create.
            """)
        let create = try #require(plan.actions.first)
        #expect(create.key.object?.description == "apps/v1 Deployment default/web")
        #expect(create.native == Self.objects(Self.web)[0].body)
        #expect(create.configHash == Self.objects(Self.web)[0].configHash)
    }

    @Test func servedObjectsWithServerDefaultsAreNoChange() {
        #expect(Self.plan([Self.web], Self.served(Self.web)).description == "No changes: everything matches the specs.")
    }

    @Test func changedImageUpdatesOnlyTheDeployment() {
        var changed = Self.web
        changed.image = "nginx:1.28"
        #expect(Self.plan([changed], Self.served(Self.web)).description == """
            ~ update kubernetes apps/v1 Deployment default/web (spec web): config hash changed
                spec.template.spec.containers[web].image: "nginx:1.27" -> "nginx:1.28"
            Plan: 1 to update.
            """)
    }

    @Test func replicasChangedOutOfBandArePutBack() {
        let objects = Self.objects(Self.web)
        let observed = [
            Self.served(objects[0]) { $0 = $0.merging(.object(["spec": .object(["replicas": .number("5")])])) },
            Self.served(objects[1]),
        ]
        #expect(Self.plan([Self.web], observed).description == """
            ~ update kubernetes apps/v1 Deployment default/web (spec web): drifted out of band: spec.replicas
                spec.replicas: 5 -> 3
            Plan: 1 to update.
            """)
    }

    @Test func serviceNoLongerWantedIsDeleted() {
        var noPorts = Self.web
        noPorts.ports = []
        let text = Self.plan([noPorts], Self.served(Self.web)).description
        #expect(text.contains("- delete kubernetes v1 Service default/web (spec web): no longer in spec web"))
        #expect(text.contains("~ update kubernetes apps/v1 Deployment default/web (spec web): config hash changed"))
        #expect(text.hasSuffix("Plan: 1 to update, 1 to delete."))
    }

    static let api = Spec(name: "api", target: "kubernetes", image: "api:1",
                          origin: SpecOrigin(file: "specs/api.json", path: .root, position: JSONPosition(line: 1, column: 1)))
    static let db = Spec(name: "db", target: "kubernetes", image: "db:1",
                         origin: SpecOrigin(file: "specs/db.json", path: .root, position: JSONPosition(line: 1, column: 1)))

    @Test func removedSpecsObjectsAreDeleted() {
        let observed = Self.served(Self.web) + Self.served(Self.api) + Self.served(Self.db)
        #expect(Self.plan([Self.web, Self.api], observed).description == """
            - delete kubernetes apps/v1 Deployment default/db (spec db): spec removed
            Plan: 1 to delete.
            """)
    }

    /// The guard counts specs: one removed spec of two may go, however many objects it made.
    @Test func massDeleteGuardCountsSpecsNotObjects() {
        let observed = Self.served(Self.web) + Self.served(Self.api)
        #expect(Self.plan([Self.api], observed).count(.delete) == 2)
        let emptied = Self.plan([], observed)
        #expect(emptied.actions.isEmpty)
        #expect(emptied.description == """
            ! held delete kubernetes apps/v1 Deployment default/api (spec api): spec removed, deletion held until released (berth release api)
            ! held delete kubernetes apps/v1 Deployment default/web (spec web): spec removed, deletion held until released (berth release web)
            ! held delete kubernetes v1 Service default/web (spec web): spec removed, deletion held until released (berth release web)
            note: deletion of 2 removed specs held (api, web; 3 resources): the guard holds removals of all managed specs, or of more than half, and nothing held is deleted until a person says so: berth release api web (also while watch runs), or apply --allow-delete api,web, or --allow-mass-delete
            No changes to make now. Held: 3 deletions of removed specs api, web (see the note).
            """)
        let allowed = PlanContext(owner: "main", allowMassDelete: true)
        #expect(Self.plan([], observed, context: allowed).count(.delete) == 3)
    }

    @Test func invalidFileHoldsDeletions() {
        let observed = Self.served(Self.api) + Self.served(Self.db) + Self.served(Self.web)
        let plan = Self.plan([Self.web, Self.api], observed, invalid: ["specs/db.json"])
        #expect(plan.actions.isEmpty)
        #expect(plan.held.map(\.description) == [
            "delete kubernetes apps/v1 Deployment default/db (spec db): spec removed, held back while invalid files exist",
        ])
    }

    @Test func objectsWithoutThisOwnersLabelAreNeverTouched() {
        let foreign = Self.objects(Self.db).map { object in
            Self.served(object) { $0 = $0.merging(.object(["metadata": .object(["labels": .object([Labels.owner: .string("other")])])])) }
        }
        let unlabelled = Self.objects(Self.api).map { object in
            Self.served(object) { body in
                var metadata = body["metadata"]!.objectValue!
                metadata["labels"] = .object(["app": .string("api")])
                body = body.objectValue!.merging(["metadata": .object(metadata)]) { _, new in new }.json
            }
        }
        let plan = Self.plan([Self.web], Self.served(Self.web) + foreign + unlabelled, context: PlanContext(owner: "main", allowMassDelete: true))
        #expect(plan.description == "No changes: everything matches the specs.")
    }

    @Test func sameObjectInTwoSpecsIsRefusedNamingBothFiles() throws {
        let clash = KubeManifest(object: .object([
            "apiVersion": .string("apps/v1"), "kind": .string("Deployment"), "metadata": .object(["name": .string("web")]),
        ]), path: JSONPath.root.appending(key: "manifests").appending(index: 0), position: JSONPosition(line: 2, column: 17))
        let infra = Spec(name: "infra", target: "kubernetes", image: "", manifests: [clash],
                         origin: SpecOrigin(file: "specs/infra.json", path: .root, position: JSONPosition(line: 1, column: 1)))
        let observed = Self.served(Self.api) + Self.served(Self.db)
        let plan = Self.plan([Self.web, infra, Self.api], observed)
        #expect(plan.errors.map(\.description).sorted() == [
            "specs/infra.json:2:17: $.manifests[0]: apps/v1 Deployment default/web is also defined at specs/web.json:1:1 ($)",
            "specs/web.json:1:1: $: apps/v1 Deployment default/web is also defined at specs/infra.json:2:17 ($.manifests[0])",
        ])
        // Neither spec is applied, and what a clashing file may describe is not deleted.
        #expect(plan.description == """
            ! held delete kubernetes apps/v1 Deployment default/db (spec db): spec removed, held back while invalid files exist
            note: 1 removed spec (1 resource) not deleted: an invalid file may still describe them (specs/infra.json, specs/web.json)
            No changes to make now. Held: 1 deletion of removed spec db (see the note). Invalid: 2 files not planned (specs/infra.json, specs/web.json).
            """)
    }

    @Test func anOlderAPIVersionOfTheSameObjectIsTheSameObject() {
        let deployment = Self.objects(Self.api)[0]
        var item = deployment.body.objectValue!
        item["apiVersion"] = nil
        item["kind"] = nil
        let observed = ObservedResource.kubernetes(object: .object(item), apiVersion: "apps/v1beta2", kind: "Deployment")
        #expect(Self.plan([Self.api], [observed]).description == "No changes: everything matches the specs.")
    }

    static func secretManifest(_ password: String) -> KubeManifest {
        KubeManifest(object: .object([
            "apiVersion": .string("v1"), "kind": .string("Secret"), "metadata": .object(["name": .string("db-auth")]),
            "data": .object(["password": .string(password)]), "stringData": .object(["token": .string(password + "-token")]),
        ]))
    }

    @Test func secretValuesNeverReachPlanTextOrJSON() throws {
        var before = Self.web
        before.manifests = [Self.secretManifest("b2xkLXB3")]
        var after = before
        after.manifests = [Self.secretManifest("bmV3LXB3")]
        after.env["DB_PASSWORD"] = "s3cret-two"
        let changed = Self.plan([after], Self.served(before))
        // The same values set out of band, under the hash berth wrote.
        let drifted = Self.plan([before], Self.objects(before).map { object in
            Self.served(object) { body in
                let other = Self.objects(after).first { $0.id == object.id }!.body
                body = body.merging(.object(["data": other["data"] ?? .null, "spec": other["spec"] ?? .null]))
                if object.kind == "Secret" { body = body.objectValue!.filter { $0.key != "stringData" }.json }
            }
        })
        for plan in [changed, drifted] {
            let text = plan.description + plan.json.canonicalText + plan.actions.flatMap(\.changes).map { "\($0.old ?? "") \($0.new ?? "")" }.joined()
            for secret in ["b2xkLXB3", "bmV3LXB3", "s3cret-one", "s3cret-two", "-token"] {
                #expect(!text.contains(secret), "\(secret) appears in the plan")
            }
        }
        #expect(changed.description == """
            ~ update kubernetes apps/v1 Deployment default/web (spec web): config hash changed
                spec.template.spec.containers[web].env[DB_PASSWORD].value: (secret value changed)
            ~ update kubernetes v1 Secret default/db-auth (spec web): config hash changed
                data.password: (secret value changed)
                stringData.token: (secret value changed)
            Plan: 2 to update.
            """)
        #expect(drifted.description == """
            ~ update kubernetes apps/v1 Deployment default/web (spec web): drifted out of band: spec.template.spec.containers[web].env[DB_PASSWORD].value
                spec.template.spec.containers[web].env[DB_PASSWORD].value: (secret value changed)
            ~ update kubernetes v1 Secret default/db-auth (spec web): drifted out of band: data.password
                data.password: (secret value changed)
            Plan: 2 to update.
            """)
    }

    @Test func jsonNamesTheObject() throws {
        let action = try #require(Self.plan([Self.web], []).json["actions"]?.arrayValue?.first)
        #expect(action["object"] == .string("apps/v1 Deployment default/web"))
        #expect(action["apiVersion"] == .string("apps/v1"))
        #expect(action["namespace"] == .string("default"))
        #expect(action["objectName"] == .string("web"))
        #expect(action["kind"] == .string("Deployment"))
        #expect(action["name"] == .string("web"))
    }

    static func files(_ files: [(String, String)]) -> DesiredState {
        DesiredState.assemble(files: files.map { ($0.0, Array($0.1.utf8)) })
    }

    @Test func specFilesBecomeObjectsInTheirNamespaces() {
        let desired = Self.files([
            ("specs/infra.json", #"""
                {"name": "infra", "target": "kubernetes", "namespace": "shop", "manifests": [
                  {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}}]}
                """#),
            ("specs/web.json", #"{"name": "web", "target": "kubernetes", "namespace": "shop", "image": "nginx:1.27"}"#),
        ])
        #expect(desired.errors.isEmpty)
        #expect(Planner.plan(desired: desired, observed: [], context: Self.context).description == """
            + create kubernetes v1 ConfigMap shop/cfg (spec infra): missing
            + create kubernetes apps/v1 Deployment shop/web (spec web): missing
                image: "nginx:1.27"
                replicas: 1
            + create kubernetes v1 Namespace shop (spec infra): missing
            Plan: 3 to create.
            """)
    }

    @Test func theSameManifestInTwoFilesNamesBothPositions() {
        let desired = Self.files([
            ("specs/a.json", #"""
                {"name": "a", "target": "kubernetes", "namespace": "shop", "manifests": [
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}]}
                """#),
            ("specs/b.json", #"""
                {"name": "b", "target": "kubernetes", "manifests": [
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other"}},
                  {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "shop"}}]}
                """#),
        ])
        let plan = Planner.plan(desired: desired, observed: [], context: Self.context)
        #expect(plan.errors.map(\.description).sorted() == [
            "specs/a.json:2:3: $.manifests[0]: v1 ConfigMap shop/cfg is also defined at specs/b.json:3:3 ($.manifests[1])",
            "specs/b.json:3:3: $.manifests[1]: v1 ConfigMap shop/cfg is also defined at specs/a.json:2:3 ($.manifests[0])",
        ])
        #expect(plan.actions.isEmpty)
    }
}

/// Resource quantities the API server rewrites ("0.5" -> "500m") are the same value, not drift;
/// a value really changed out of band still is.
struct KubeQuantityDriftTests {
    static func spec(cpu: JSONValue, memory: String) -> Spec {
        var spec = KubePlannerTests.web
        spec.ports = []
        spec.kubernetes = .object(["spec": .object(["template": .object(["spec": .object(["containers": .array([.object([
            "name": .string("web"),
            "resources": .object(["limits": .object(["cpu": cpu, "memory": .string(memory)]),
                                  "requests": .object(["cpu": cpu])]),
        ])])])])])])
        return spec
    }

    static func served(_ spec: Spec, cpu: String, memory: String) -> [ObservedResource] {
        KubePlannerTests.objects(spec).map { object in
            KubePlannerTests.served(object) { body in
                var containers = body["spec"]!["template"]!["spec"]!["containers"]!.arrayValue!
                containers[0] = containers[0].merging(.object(["resources": .object([
                    "limits": .object(["cpu": .string(cpu), "memory": .string(memory)]), "requests": .object(["cpu": .string(cpu)]),
                ])]))
                body = body.merging(.object(["spec": .object(["template": .object(["spec": .object(["containers": .array(containers)])])])]))
            }
        }
    }

    @Test func theServersCanonicalQuantitiesAreNotDrift() {
        for cpu in [JSONValue.string("0.5"), .number("0.5")] {
            let spec = Self.spec(cpu: cpu, memory: "1024Mi")
            let plan = KubePlannerTests.plan([spec], Self.served(spec, cpu: "500m", memory: "1Gi"))
            #expect(plan.description == "No changes: everything matches the specs.", "\(cpu)")
        }
    }

    @Test func aQuantityChangedOutOfBandIsDrift() {
        let spec = Self.spec(cpu: .string("0.5"), memory: "1024Mi")
        let plan = KubePlannerTests.plan([spec], Self.served(spec, cpu: "250m", memory: "1Gi"))
        #expect(plan.description == """
            ~ update kubernetes apps/v1 Deployment default/web (spec web): drifted out of band: spec.template.spec.containers[web].resources.limits.cpu, spec.template.spec.containers[web].resources.requests.cpu
                spec.template.spec.containers[web].resources.limits.cpu: "250m" -> "0.5"
                spec.template.spec.containers[web].resources.requests.cpu: "250m" -> "0.5"
            Plan: 1 to update.
            """)
    }

    /// Only quantity fields compare by value: "1.0" elsewhere (an env value) is other text.
    @Test func otherStringsStillCompareAsText() {
        var spec = KubePlannerTests.web
        spec.ports = []
        spec.env = ["LEVEL": "1.0"]
        let served = KubePlannerTests.objects(spec).map { object in
            KubePlannerTests.served(object) { body in
                var containers = body["spec"]!["template"]!["spec"]!["containers"]!.arrayValue!
                containers[0] = containers[0].merging(.object(["env": .array([.object(["name": .string("LEVEL"), "value": .string("1")])])]))
                body = body.merging(.object(["spec": .object(["template": .object(["spec": .object(["containers": .array(containers)])])])]))
            }
        }
        let plan = KubePlannerTests.plan([spec], served)
        #expect(plan.description.contains("drifted out of band: spec.template.spec.containers[web].env[LEVEL].value"), "\(plan.description)")
    }
}
