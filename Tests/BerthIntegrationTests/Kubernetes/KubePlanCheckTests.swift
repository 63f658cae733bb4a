import BerthJSON
import BerthTestSupport
import Foundation
import Testing

/// What the real server would refuse is said before apply (issue 17.4: `plan` dry-runs the
/// objects it would write) and, at apply, a schema error is final (17.3: the 500 "failed to
/// create typed patch object" is never retried).
@Suite struct KubePlanCheckTests {
    static func manifests(_ name: String, _ objects: String) -> String {
        """
        {"name": "\(name)", "target": "kubernetes", "manifests": [
          \(objects)]}
        """
    }

    @Test func aTypeErrorIsReportedOnceWithTheFieldAndTheFileAndNotRetried() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("bad.json", Self.manifests("bad", #"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bad-data"}, "data": {"a": 1}}"#))
        let run = await p.berth("apply")
        #expect(run.status == 1)
        #expect(run.stderr.contains("bad.json:2:3") && run.stderr.contains("field data.a: expected string"), "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("not retried"), "\(run.stderr)")
        #expect(p.requests("PATCH", "/configmaps/bad-data").count == 1, "a schema error is final: sent once")
        #expect(!run.stdout.contains("retry") && !run.stderr.contains("retrying"), "\(run.stdout)\(run.stderr)")
    }

    @Test func planReportsWhatTheServerWouldRefuseAndStoresNothing() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("kind.json", Self.manifests("kind", #"{"apiVersion": "v1", "kind": "ConfigMapp", "metadata": {"name": "c"}, "data": {"a": "b"}}"#))
        try p.write("version.json", Self.manifests("version", """
        {"apiVersion": "apps/v9", "kind": "Deployment", "metadata": {"name": "v9"}, "spec": {}}
        """))
        try p.write("types.json", Self.manifests("types", """
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "typed"},
           "spec": {"replicas": "x", "selector": {"matchLabels": {"app": "t"}},
                    "template": {"metadata": {"labels": {"app": "t"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}
        """))
        try p.write("invalid.json", Self.manifests("invalid", """
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "mismatch"},
           "spec": {"selector": {"matchLabels": {"app": "one"}},
                    "template": {"metadata": {"labels": {"app": "other"}}, "spec": {"containers": [{"name": "c", "image": "x:1"}]}}}}
        """))
        try p.write("web.json", p.spec("web", ports: []))
        let plan = await p.berth("plan")
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("kind.json:2:3") && plan.stderr.contains("does not serve kind ConfigMapp in v1"), "\(plan.stderr)")
        #expect(plan.stderr.contains("version.json:2:3") && plan.stderr.contains("does not serve kind Deployment in apps/v9"), "\(plan.stderr)")
        #expect(plan.stderr.contains("types.json:2:3") && plan.stderr.contains("field spec.replicas: expected numeric"), "\(plan.stderr)")
        #expect(plan.stderr.contains("invalid.json:2:3") && plan.stderr.contains("selector` does not match template `labels`"), "\(plan.stderr)")
        #expect(plan.stdout.contains("+ create kubernetes apps/v1 Deployment default/web (spec web): missing"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("ConfigMapp") && !plan.stdout.contains("default/mismatch"), "refused objects are not planned: \(plan.stdout)")
        // The checks were the server's dry runs of the changing objects; nothing was stored.
        let dryRuns = p.requests("PATCH").filter { $0.path.contains("dryRun=All") }
        #expect(dryRuns.count == 3, "\(dryRuns.map(\.path))")
        #expect(p.requests("PATCH").allSatisfy { $0.path.contains("dryRun=All") })
        #expect(p.server.deployment(namespace: "default", name: "web") == nil)
    }

    @Test func objectsInANamespaceThePlanCreatesAreCheckedAtApply() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("team.json", """
        {"name": "team", "target": "kubernetes", "namespace": "team-c", "manifests": [
          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-c"}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"a": "b"}}]}
        """)
        let plan = await p.berth("plan")
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("+ create kubernetes v1 ConfigMap team-c/settings (spec team): missing (checked at apply: namespace team-c is created by this plan)"), "\(plan.stdout)")
        #expect(await p.berth("apply").status == 0)
        #expect(p.server.object(.configMaps, namespace: "team-c", name: "settings") != nil)
    }

    @Test func anUnchangedFolderPlansWithoutDryRuns() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("web.json", p.spec("web"))
        #expect(await p.berth("apply").status == 0)
        let before = p.server.requests.count
        #expect(await p.berth("plan", "--detailed-exitcode").status == 0)
        let sent = p.server.requests.dropFirst(before)
        #expect(!sent.contains { $0.method != "GET" }, "\(sent.map { $0.method + " " + $0.path })")
        #expect(!sent.contains { $0.path.contains("/deployments/web") || $0.path.contains("/services/web") }, "no per-object reads when nothing is missing")
    }

    /// Issue 17.1: every journal record names its object in full, so two objects of one spec
    /// can be told apart; `history` shows it too.
    @Test func theJournalAndHistoryNameEachObjectInFull() async throws {
        let p = try KubeProject()
        defer { p.finish() }
        try p.write("cfg.json", Self.manifests("cfg", """
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "one"}, "data": {"a": "b"}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "two"}, "data": {"a": "b"}}
        """))
        #expect(await p.berth("apply").status == 0)
        let lines = try String(contentsOfFile: p.state + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
        let done = try lines.map { try JSONParser.parse(String($0)).value }.filter { $0["event"]?.stringValue == "action-ok" }
        #expect(Set(done.compactMap { $0["detail"]?["object"]?.stringValue }) == ["v1 ConfigMap default/one", "v1 ConfigMap default/two"],
                "\(lines.joined(separator: "\n"))")
        let history = await p.berth("history")
        #expect(history.stdout.contains("action-ok create kubernetes v1 ConfigMap default/one (spec cfg)"), "\(history.stdout)")
        #expect(history.stdout.contains("action-ok create kubernetes v1 ConfigMap default/two (spec cfg)"), "\(history.stdout)")
    }
}
