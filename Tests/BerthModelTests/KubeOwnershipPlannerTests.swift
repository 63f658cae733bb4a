import BerthJSON
@testable import BerthModel
import Testing

/// Planner decisions for objects that are not (wholly) berth's, as golden plan text.
struct KubeOwnershipPlannerTests {
    static let settings = Spec(
        name: "cfg", target: "kubernetes", image: "",
        manifests: [KubeManifest(object: try! JSONParser.parse(#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "b"}}"#).value,
                                 path: JSONPath.root.appending(key: "manifests").appending(index: 0), position: JSONPosition(line: 2, column: 3))],
        origin: SpecOrigin(file: "specs/cfg.json", path: .root, position: JSONPosition(line: 1, column: 1)))

    /// The ConfigMap as someone else left it: no berth labels, written by kubectl.
    static let theirs: ObservedResource = .kubernetes(object: try! JSONParser.parse("""
        {"metadata": {"name": "settings", "namespace": "default", "uid": "u1",
          "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update"}]}, "data": {"a": "theirs"}}
        """).value, apiVersion: "v1", kind: "ConfigMap")

    @Test func someoneElsesObjectIsAnErrorAndNoAction() {
        let plan = KubePlannerTests.plan([Self.settings], [Self.theirs])
        #expect(plan.description == "No changes to make now. Invalid: 1 file not planned (specs/cfg.json).")
        #expect(plan.errors.map(\.description) == [
            "specs/cfg.json:2:3: $.manifests[0]: v1 ConfigMap default/settings already exists and is not berth's (no berth.owner label; written by kubectl-client-side-apply); berth leaves it alone: rename the object, or add \"adopt\": true to spec cfg to take it over",
        ])
    }

    @Test func adoptTakesItOverShowingWhatChanges() {
        var spec = Self.settings
        spec.adopt = true
        let plan = KubePlannerTests.plan([spec], [Self.theirs])
        #expect(plan.errors.isEmpty)
        #expect(plan.description == """
            ~ adopt kubernetes v1 ConfigMap default/settings (spec cfg): exists and is not berth's (no berth.owner label; written by kubectl-client-side-apply); taken over as the spec says "adopt": true
                data.a: "theirs" -> "b"
                metadata.labels["berth.name"]: added "cfg"
                metadata.labels["berth.owner"]: added "main"
            Plan: 1 to adopt.
            """)
    }

    @Test func anObjectThatLostItsNameLabelIsRestoredNotCreated() {
        // berth's ConfigMap after someone removed its berth.name label.
        let served = KubePlannerTests.served(KubePlannerTests.objects(Self.settings)[0]) { body in
            var fields = body.objectValue!, metadata = fields["metadata"]!.objectValue!
            metadata["labels"] = .object(["berth.owner": .string("main")])
            fields["metadata"] = .object(metadata)
            body = .object(fields)
        }
        let plan = KubePlannerTests.plan([Self.settings], [served])
        #expect(plan.description == """
            ~ update kubernetes v1 ConfigMap default/settings (spec cfg): labels restored
                metadata.labels["berth.name"]: added "cfg"
            Plan: 1 to update.
            """)
        #expect(plan.notes.isEmpty)
    }
}
